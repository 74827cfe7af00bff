package org.prhelper.audit;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The audit line's time, {@code uuuu-MM-dd'T'HH:mm:ss.SSSxxx} in a zone, without a formatter run per
 * record: date, time and offset are formatted once per second (an offset changes only on a second
 * boundary) and the milliseconds appended. Thread-safe: the text of a second is one immutable object.
 */
final class TimeStamps {
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xxx");

    private record Second(long epochSecond, String dateTime, String offset) {
    }

    private final DateTimeFormatter dateTime;
    private final DateTimeFormatter offset;
    private volatile Second last = new Second(Long.MIN_VALUE, "", "");

    TimeStamps(ZoneId zone) {
        this.dateTime = SECOND.withZone(zone);
        this.offset = OFFSET.withZone(zone);
    }

    StringBuilder append(StringBuilder b, Instant time) {
        Second s = last;
        if (s.epochSecond() != time.getEpochSecond()) {
            Instant whole = Instant.ofEpochSecond(time.getEpochSecond());
            s = new Second(whole.getEpochSecond(), dateTime.format(whole), offset.format(whole));
            last = s;
        }
        int millis = time.getNano() / 1_000_000;
        return b.append(s.dateTime()).append('.').append((char) ('0' + millis / 100))
                .append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10)).append(s.offset());
    }
}

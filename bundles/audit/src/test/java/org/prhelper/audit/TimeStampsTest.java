package org.prhelper.audit;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.junit.Test;

public class TimeStampsTest {
    @Test
    public void sameTextAsTheFormatterAcrossSecondsMillisAndOffsetChanges() {
        for (String zoneName : new String[] {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"}) {
            ZoneId zone = ZoneId.of(zoneName);
            DateTimeFormatter expected = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSxxx").withZone(zone);
            TimeStamps stamps = new TimeStamps(zone);
            // Around the end of summer time in Europe (2026-10-25 01:00 UTC), in steps of 7 ms and back.
            Instant start = Instant.parse("2026-10-25T00:59:58.000Z");
            for (int i = 0; i < 800; i++) {
                Instant t = start.plusMillis(i * 7L);
                assertEquals(zoneName, expected.format(t), stamps.append(new StringBuilder(), t).toString());
            }
            Instant earlier = Instant.parse("2026-01-01T00:00:00.009Z");
            assertEquals(expected.format(earlier), stamps.append(new StringBuilder(), earlier).toString());
        }
    }
}

package org.prhelper.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.Test;
import org.prhelper.api.ReservationType;

public class JsonTest {
    @Test
    public void objectsKeepTheirKeyOrderAndNest() {
        assertEquals("{\"name\":\"default\",\"listening\":true,\"requests\":12,\"clients\":[],\"path\":null,"
                + "\"inner\":{\"a\":[1,-2,\"x\"]}}",
                Json.write(Json.object("name", "default", "listening", true, "requests", 12L, "clients", List.of(),
                        "path", null, "inner", Json.object("a", Arrays.asList(1, -2, "x")))));
        assertEquals("[]", Json.write(new ArrayList<>()));
        assertEquals("{}", Json.write(Json.object()));
        assertEquals("[null,false]", Json.write(Arrays.asList(null, false)));
        assertEquals("\"WR_EX\"", Json.write(ReservationType.WR_EX));
        assertEquals(Long.toString(Long.MIN_VALUE), Json.write(Long.MIN_VALUE));
    }

    @Test
    public void stringsThatCouldBreakTheDocumentOrALineAreEscaped() {
        assertEquals("\"a\\\"b\\\\c/d\"", Json.write("a\"b\\c/d"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001f\\u007f\\u0085\\u2028\\u2029\"",
                Json.write("\n\r\t\b\f\u0000\u001f\u007f\u0085\u2028\u2029"));
        assertEquals("\"évm-1 ✓\"", Json.write("évm-1 ✓"));
    }

    @Test
    public void whatHasNoJsonFormIsRefused() {
        assertEquals("no JSON form for java.lang.Double",
                assertThrows(IllegalArgumentException.class, () -> Json.write(1.5)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.object("key"));
    }
}

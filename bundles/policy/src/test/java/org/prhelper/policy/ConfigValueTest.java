package org.prhelper.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class ConfigValueTest {
    @Test
    public void splitsAtCommasOutsideBracketsAndBraces() {
        assertEquals(List.of("/dev/{sda,sdb}", "/dev/sd[a,c]", "/dev/dm-*"),
                ConfigValue.of("k", " /dev/{sda,sdb}, /dev/sd[a,c] ,/dev/dm-*,").items);
        assertEquals(List.of("/dev/{a,{b,c}}", "x"), ConfigValue.of("k", "/dev/{a,{b,c}},x").items);
    }

    @Test
    public void arraysCollectionsAndScalars() {
        assertEquals(List.of("1", "2", "3"), ConfigValue.of("k", new String[] {"1", "2, 3"}).items);
        assertEquals(List.of("1", "2"), ConfigValue.of("k", new int[] {1, 2}).items);
        assertEquals(List.of("a", "7"), ConfigValue.of("k", List.of("a", 7)).items);
        assertEquals(List.of("true"), ConfigValue.of("k", Boolean.TRUE).items);
        assertEquals(List.of("42"), ConfigValue.of("k", 42L).items);
        assertEquals("1, 2, 3", ConfigValue.of("k", new String[] {"1", "2, 3"}).text);
    }

    @Test
    public void blankIsEmpty() {
        assertTrue(ConfigValue.of("k", "").isEmpty());
        assertTrue(ConfigValue.of("k", " , ,").isEmpty());
        assertTrue(ConfigValue.of("k", new String[0]).isEmpty());
        assertTrue(ConfigValue.of("k", new String[] {" "}).isEmpty());
    }

    @Test
    public void decimals() {
        assertEquals(0, ConfigValue.decimal("0", 10));
        assertEquals(10, ConfigValue.decimal("10", 10));
        assertEquals(-1, ConfigValue.decimal("11", 10));
        assertEquals(-1, ConfigValue.decimal("+1", 10));
        assertEquals(-1, ConfigValue.decimal("-1", 10));
        assertEquals(-1, ConfigValue.decimal("", 10));
        assertEquals(-1, ConfigValue.decimal("99999999999999999999", Long.MAX_VALUE));
    }
}

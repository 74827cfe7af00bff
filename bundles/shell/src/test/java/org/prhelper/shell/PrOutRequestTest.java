package org.prhelper.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;

import org.junit.Test;
import org.prhelper.api.PrOutAction;
import org.prhelper.api.PrRequest;
import org.prhelper.api.ReservationType;

/** The PR OUT CDB and parameter list the admin commands send (SPC-4 6.17), and their options. */
public class PrOutRequestTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    public void registerWithEveryFlag() {
        PrRequest r = new PrOutRequest(PrOutAction.REGISTER, null, 0x1122334455667788L, 0x99aabbccddeeff00L, true, true).toRequest();
        assertEquals("5f000000000000001800000000000000", HEX.formatHex(r.cdb()));
        assertEquals(24, r.parameterLength());
        assertEquals(24, r.transferLength());
        assertEquals("1122334455667788" + "99aabbccddeeff00" + "00000000" + "05" + "00" + "0000", parameters(r));
    }

    @Test
    public void flagsAlone() {
        assertEquals("04", parameters(new PrOutRequest(PrOutAction.REGISTER, null, 0, 1, false, true).toRequest()).substring(40, 42));
        assertEquals("01", parameters(new PrOutRequest(PrOutAction.REGISTER, null, 0, 1, true, false).toRequest()).substring(40, 42));
        assertEquals("00", parameters(new PrOutRequest(PrOutAction.REGISTER, null, 0, 1, false, false).toRequest()).substring(40, 42));
    }

    @Test
    public void serviceActionAndTypeInTheCdb() {
        PrRequest reserve = new PrOutRequest(PrOutAction.RESERVE, ReservationType.WR_EX_RO, 0x1234, 0, false, false).toRequest();
        assertEquals("5f010500000000001800000000000000", HEX.formatHex(reserve.cdb()));
        assertEquals(PrRequest.OPCODE_PR_OUT, reserve.opcode());
        assertEquals(1, reserve.serviceAction());
        assertEquals("0000000000001234" + "0".repeat(32), parameters(reserve));
        PrRequest abort = new PrOutRequest(PrOutAction.PREEMPT_AND_ABORT, ReservationType.EX_AC_AR, 1, 2, false, false).toRequest();
        assertEquals("5f050800000000001800000000000000", HEX.formatHex(abort.cdb()));
        assertEquals("0000000000000001" + "0000000000000002" + "0".repeat(16), parameters(abort));
        assertEquals("5f060000000000001800000000000000",
                HEX.formatHex(new PrOutRequest(PrOutAction.REGISTER_AND_IGNORE, null, 0, 5, false, false).toRequest().cdb()));
    }

    @Test
    public void describeNamesWhatIsSent() {
        assertEquals("PROUT REGISTER key 0x0000000000000000 new key 0x0000000000001234 all target ports"
                + " persist through power loss", new PrOutRequest(PrOutAction.REGISTER, null, 0, 0x1234, true, true).describe());
        assertEquals("PROUT REGISTER key 0x0000000000001234 (unregister)",
                new PrOutRequest(PrOutAction.REGISTER, null, 0x1234, 0, false, false).describe());
        assertEquals("PROUT REGISTER_AND_IGNORE new key 0x0000000000000005",
                new PrOutRequest(PrOutAction.REGISTER_AND_IGNORE, null, 7, 5, false, false).describe());
        assertEquals("PROUT RESERVE key 0x0000000000001234 type 5 write-exclusive-registrants-only",
                new PrOutRequest(PrOutAction.RESERVE, ReservationType.WR_EX_RO, 0x1234, 0, false, false).describe());
        assertEquals("PROUT RELEASE key 0x0000000000001234 type 1 write-exclusive",
                new PrOutRequest(PrOutAction.RELEASE, ReservationType.WR_EX, 0x1234, 0, false, false).describe());
        assertEquals("PROUT CLEAR key 0x0000000000001234", new PrOutRequest(PrOutAction.CLEAR, null, 0x1234, 0, false, false).describe());
        assertEquals("PROUT PREEMPT key 0x0000000000000001 preempting 0x0000000000000002 type 3 exclusive-access",
                new PrOutRequest(PrOutAction.PREEMPT, ReservationType.EX_AC, 1, 2, false, false).describe());
        assertEquals("PROUT PREEMPT_AND_ABORT key 0x0000000000000001 preempting 0x0000000000000002 type 3 exclusive-access",
                new PrOutRequest(PrOutAction.PREEMPT_AND_ABORT, ReservationType.EX_AC, 1, 2, false, false).describe());
    }

    @Test
    public void keysInHexOrDecimal() {
        assertEquals(0x1234, PrOutRequest.parseKey("0x1234"));
        assertEquals(0xABCDL, PrOutRequest.parseKey("0XabCD"));
        assertEquals(4660, PrOutRequest.parseKey(" 4660 "));
        assertEquals(0, PrOutRequest.parseKey("0"));
        assertEquals(-1L, PrOutRequest.parseKey("0xffffffffffffffff"));
        assertEquals(-1L, PrOutRequest.parseKey("18446744073709551615"));
        for (String bad : new String[] {"", "0x", "-1", "0x10000000000000000", "18446744073709551616", "12ab", "key"}) {
            assertEquals("invalid key " + bad + ": 0x and up to 16 hex digits, or a decimal number",
                    assertThrows(IllegalArgumentException.class, () -> PrOutRequest.parseKey(bad)).getMessage());
        }
    }

    @Test
    public void commandsMapTheirOptions() {
        RegisterCommand register = new RegisterCommand();
        register.saKey = "0x10";
        assertEquals(new PrOutRequest(PrOutAction.REGISTER, null, 0, 0x10, false, false), register.prOut());
        register.key = "7";
        register.ignoreExisting = true;
        register.aptpl = true;
        register.allTargetPorts = true;
        assertEquals(new PrOutRequest(PrOutAction.REGISTER_AND_IGNORE, null, 7, 0x10, true, true), register.prOut());

        ReserveCommand reserve = new ReserveCommand();
        reserve.key = "0x10";
        reserve.type = "ex_ac_ro";
        assertEquals(new PrOutRequest(PrOutAction.RESERVE, ReservationType.EX_AC_RO, 0x10, 0, false, false), reserve.prOut());
        ReleaseCommand release = new ReleaseCommand();
        release.key = "16";
        release.type = "6";
        assertEquals(new PrOutRequest(PrOutAction.RELEASE, ReservationType.EX_AC_RO, 0x10, 0, false, false), release.prOut());
        ClearCommand clear = new ClearCommand();
        clear.key = "0x10";
        assertEquals(new PrOutRequest(PrOutAction.CLEAR, null, 0x10, 0, false, false), clear.prOut());
        PreemptCommand preempt = new PreemptCommand();
        preempt.key = "0x10";
        preempt.saKey = "0x20";
        preempt.type = "wr_ex";
        assertEquals(new PrOutRequest(PrOutAction.PREEMPT, ReservationType.WR_EX, 0x10, 0x20, false, false), preempt.prOut());
        preempt.abort = true;
        assertEquals(new PrOutRequest(PrOutAction.PREEMPT_AND_ABORT, ReservationType.WR_EX, 0x10, 0x20, false, false), preempt.prOut());
        preempt.type = "2";
        assertThrows(IllegalArgumentException.class, preempt::prOut);
    }

    private static String parameters(PrRequest r) {
        return HEX.formatHex(Arrays.copyOf(r.parameters(), r.parameterLength()));
    }
}

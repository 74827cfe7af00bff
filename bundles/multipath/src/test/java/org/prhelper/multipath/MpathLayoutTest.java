package org.prhelper.multipath;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Checks {@link MpathLayout}, {@link MpathResults} and the protocol and service action numbers against
 * the C compiler's view of {@code <mpath_persist.h>} on this machine. gcc and the header are build
 * requirements: a missing one fails the test rather than skip it, so an unchecked layout never ships.
 */
public class MpathLayoutTest {
    /** A C expression and the value the Java code assumes for it. */
    private record Check(String c, long java) {
    }

    private static final String RESP = "struct prin_resp";
    private static final String FULL = "struct prin_fulldescr";
    private static final String TID = "struct transportid";
    private static final String PROUT = "struct prout_param_descriptor";

    private static final List<Check> LAYOUT = new ArrayList<>();
    private static final List<Check> RETURN_CODES = new ArrayList<>();
    private static final List<Check> NUMBERS = new ArrayList<>();

    static {
        // struct prin_resp: each union member the translator reads, with the width it reads it with.
        member(RESP, "prin_descriptor.prin_readkeys.prgeneration", MpathLayout.PRIN_GENERATION, 4);
        member(RESP, "prin_descriptor.prin_readkeys.additional_length", MpathLayout.PRIN_ADDITIONAL_LENGTH, 4);
        member(RESP, "prin_descriptor.prin_readkeys.key_list", MpathLayout.READKEYS_KEY_LIST,
                MpathLayout.MAX_PARAM_LEN);
        member(RESP, "prin_descriptor.prin_readresv.prgeneration", MpathLayout.PRIN_GENERATION, 4);
        member(RESP, "prin_descriptor.prin_readresv.additional_length", MpathLayout.PRIN_ADDITIONAL_LENGTH, 4);
        member(RESP, "prin_descriptor.prin_readresv.key", MpathLayout.RESV_KEY, 8);
        member(RESP, "prin_descriptor.prin_readresv.scope_type", MpathLayout.RESV_SCOPE_TYPE, 1);
        member(RESP, "prin_descriptor.prin_readcap.length", MpathLayout.CAP_LENGTH, 2);
        member(RESP, "prin_descriptor.prin_readcap.flags", MpathLayout.CAP_FLAGS, 2);
        member(RESP, "prin_descriptor.prin_readcap.pr_type_mask", MpathLayout.CAP_TYPE_MASK, 2);
        member(RESP, "prin_descriptor.prin_readfd.prgeneration", MpathLayout.PRIN_GENERATION, 4);
        member(RESP, "prin_descriptor.prin_readfd.number_of_descriptor", MpathLayout.FULL_NUMBER_OF_DESCRIPTORS, 4);
        member(RESP, "prin_descriptor.prin_readfd.private_buffer", MpathLayout.FULL_PRIVATE_BUFFER,
                MpathLayout.MAX_PARAM_LEN);
        member(RESP, "prin_descriptor.prin_readfd.descriptors[0]", MpathLayout.FULL_DESCRIPTORS,
                MpathLayout.POINTER_SIZE);
        LAYOUT.add(new Check("sizeof(" + RESP + ")", MpathLayout.PRIN_RESP_SIZE));

        member(FULL, "key", MpathLayout.FD_KEY, 8);
        member(FULL, "flag", MpathLayout.FD_FLAG, 1);
        member(FULL, "scope_type", MpathLayout.FD_SCOPE_TYPE, 1);
        member(FULL, "rtpi", MpathLayout.FD_RTPI, 2);
        member(FULL, "trnptid", MpathLayout.FD_TRANSPORT_ID, MpathLayout.TRANSPORTID_SIZE);
        LAYOUT.add(new Check("sizeof(" + FULL + ")", MpathLayout.FULLDESCR_SIZE));

        member(TID, "format_code", MpathLayout.TID_FORMAT_CODE, 1);
        member(TID, "protocol_id", MpathLayout.TID_PROTOCOL_ID, 1);
        member(TID, "n_port_name", MpathLayout.TID_NAME, 8);
        member(TID, "sas_address", MpathLayout.TID_NAME, 8);
        member(TID, "iscsi_name", MpathLayout.TID_NAME, MpathLayout.TID_NAME_SIZE);
        LAYOUT.add(new Check("sizeof(" + TID + ")", MpathLayout.TRANSPORTID_SIZE));

        member(PROUT, "key", MpathLayout.PROUT_KEY, 8);
        member(PROUT, "sa_key", MpathLayout.PROUT_SA_KEY, 8);
        member(PROUT, "sa_flags", MpathLayout.PROUT_SA_FLAGS, 1);
        member(PROUT, "num_transportid", MpathLayout.PROUT_NUM_TRANSPORTID, 4);
        member(PROUT, "trnptid_list[0]", MpathLayout.PROUT_TRANSPORTID_LIST, MpathLayout.POINTER_SIZE);
        LAYOUT.add(new Check("sizeof(" + PROUT + ")", MpathLayout.PROUT_SIZE));

        LAYOUT.add(new Check("MPATH_MAX_PARAM_LEN", MpathLayout.MAX_PARAM_LEN));
        LAYOUT.add(new Check("MPATH_MX_TIDS", MpathLayout.MAX_TRANSPORT_IDS));
        LAYOUT.add(new Check("sizeof(void *)", MpathLayout.POINTER_SIZE));
        // Our buffers: the PR OUT struct, its pointer list and the structs they point to...
        LAYOUT.add(new Check("sizeof(" + PROUT + ") + MPATH_MX_TIDS * (sizeof(void *) + sizeof(" + TID + "))",
                MpathLayout.PROUT_BUFFER_SIZE));
        // ...and every 270-byte descriptor mpath_format_readfullstatus may store for 8192 bytes of
        // 24-byte descriptors, the last one partial, from the private buffer on.
        LAYOUT.add(new Check("offsetof(" + RESP + ", prin_descriptor.prin_readfd.private_buffer)"
                + " + (MPATH_MAX_PARAM_LEN / 24 + 1) * sizeof(" + FULL + ")", MpathLayout.PRIN_BUFFER_SIZE));

        returnCode("MPATH_PR_SUCCESS", MpathResults.SUCCESS);
        returnCode("MPATH_PR_SENSE_NOT_READY", MpathResults.SENSE_NOT_READY);
        returnCode("MPATH_PR_SENSE_MEDIUM_ERROR", MpathResults.SENSE_MEDIUM_ERROR);
        returnCode("MPATH_PR_SENSE_HARDWARE_ERROR", MpathResults.SENSE_HARDWARE_ERROR);
        returnCode("MPATH_PR_ILLEGAL_REQ", MpathResults.ILLEGAL_REQ);
        returnCode("MPATH_PR_SENSE_UNIT_ATTENTION", MpathResults.SENSE_UNIT_ATTENTION);
        returnCode("MPATH_PR_SENSE_INVALID_OP", MpathResults.SENSE_INVALID_OP);
        returnCode("MPATH_PR_SENSE_ABORTED_COMMAND", MpathResults.SENSE_ABORTED_COMMAND);
        returnCode("MPATH_PR_NO_SENSE", MpathResults.NO_SENSE);
        returnCode("MPATH_PR_RESERV_CONFLICT", MpathResults.RESERV_CONFLICT);

        NUMBERS.add(new Check("MPATH_PRIN_RKEY_SA", PrinTranslator.READ_KEYS));
        NUMBERS.add(new Check("MPATH_PRIN_RRES_SA", PrinTranslator.READ_RESERVATION));
        NUMBERS.add(new Check("MPATH_PRIN_RCAP_SA", PrinTranslator.REPORT_CAPABILITIES));
        NUMBERS.add(new Check("MPATH_PRIN_RFSTAT_SA", PrinTranslator.READ_FULL_STATUS));
        NUMBERS.add(new Check("MPATH_PROTOCOL_ID_FC", TransportIds.FC));
        NUMBERS.add(new Check("MPATH_PROTOCOL_ID_ISCSI", TransportIds.ISCSI));
        NUMBERS.add(new Check("MPATH_PROTOCOL_ID_SAS", TransportIds.SAS));
    }

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    /** What the C probe printed, one value a line, in the order of {@link #all()}. */
    private static List<Long> c;

    @BeforeClass
    public static void compileAndRunProbe() throws Exception {
        File dir = TEMP.newFolder();
        File src = new File(dir, "mpath_layout.c");
        File exe = new File(dir, "mpath_layout");
        Files.writeString(src.toPath(), program());
        run("compiling the layout probe needs gcc and <mpath_persist.h> (Debian packages: gcc, multipath-tools)",
                dir, "gcc", "-o", exe.getPath(), src.getPath());
        c = new ArrayList<>();
        for (String line : run("the layout probe failed", dir, exe.getPath()).split("\n")) {
            c.add(Long.parseLong(line));
        }
        assertEquals("values printed by the probe", all().size(), c.size());
    }

    @Test
    public void everyOffsetWidthAndSizeMatchesTheCompiler() {
        assertAllMatch(LAYOUT);
    }

    @Test
    public void returnCodesMatchTheHeader() {
        assertAllMatch(RETURN_CODES);
    }

    @Test
    public void serviceActionsAndProtocolIdsMatchTheHeader() {
        assertAllMatch(NUMBERS);
    }

    private static void member(String type, String member, int offset, int width) {
        LAYOUT.add(new Check("offsetof(" + type + ", " + member + ")", offset));
        LAYOUT.add(new Check("sizeof(((" + type + " *) 0)->" + member + ")", width));
    }

    private static void returnCode(String macro, int java) {
        RETURN_CODES.add(new Check(macro, java));
    }

    private static List<Check> all() {
        List<Check> all = new ArrayList<>(LAYOUT);
        all.addAll(RETURN_CODES);
        all.addAll(NUMBERS);
        return all;
    }

    /** Reports every mismatch of the group at once: one layout slip tends to shift several fields. */
    private static void assertAllMatch(List<Check> group) {
        List<Check> all = all();
        StringBuilder wrong = new StringBuilder();
        for (Check check : group) {
            long actual = c.get(all.indexOf(check));
            if (actual != check.java()) {
                wrong.append('\n').append(check.c()).append(" is ").append(actual)
                        .append(", Java has ").append(check.java());
            }
        }
        assertEquals("", wrong.toString());
    }

    private static String program() {
        StringBuilder p = new StringBuilder("#include <stddef.h>\n#include <stdio.h>\n#include <mpath_persist.h>\n")
                .append("int main(void) {\n");
        for (Check check : all()) {
            p.append("  printf(\"%ld\\n\", (long) (").append(check.c()).append("));\n");
        }
        return p.append("  return 0;\n}\n").toString();
    }

    /** Runs a command in {@code dir}; its output, or a failed test naming {@code why}. */
    private static String run(String why, File dir, String... command) throws Exception {
        File log = new File(dir, "output.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(why + ": cannot run " + command[0] + ": " + e.getMessage(), e);
        }
        assertTrue(why + ": " + command[0] + " did not finish", process.waitFor(60, TimeUnit.SECONDS));
        String output = Files.readString(log.toPath());
        assertEquals(why + ": " + String.join(" ", command) + "\n" + output, 0, process.exitValue());
        return output;
    }
}

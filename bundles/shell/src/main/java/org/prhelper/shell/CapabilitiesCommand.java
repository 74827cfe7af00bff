package org.prhelper.shell;

import java.io.PrintStream;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrInAction;

@Command(scope = "pr", name = "capabilities", description = "Reads what persistent reservations a device supports (PR IN REPORT CAPABILITIES).")
@Service
public class CapabilitiesCommand extends PrInCommand<PrData.Capabilities> {
    @Override
    PrInAction serviceAction() {
        return PrInAction.REPORT_CAPABILITIES;
    }

    @Override
    PrData.Capabilities decode(byte[] data, int length) {
        return PrData.capabilities(data, length);
    }

    @Override
    void show(PrData.Capabilities c, PrintStream out) {
        ShellTable table = properties();
        table.addRow().addContent("CRH", yesNo(c.crh()));
        table.addRow().addContent("SIP_C", yesNo(c.sipC()));
        table.addRow().addContent("ATP_C", yesNo(c.atpC()));
        table.addRow().addContent("PTPL_C", yesNo(c.ptplC()));
        table.addRow().addContent("RLR_C", yesNo(c.rlrC()));
        table.addRow().addContent("TMV", yesNo(c.tmv()));
        table.addRow().addContent("ALLOW_COMMANDS", PrData.allowCommands(c.allowCommands()));
        table.addRow().addContent("PTPL_A", yesNo(c.ptplA()));
        table.addRow().addContent("Types", !c.tmv() ? "not reported (TMV 0)" : c.types().isEmpty() ? "none"
                : c.types().stream().map(Enum::name).collect(Collectors.joining(" ")));
        print(table, out);
    }

    /** {@code types} is null when the device says its type mask is not valid (TMV 0). */
    @Override
    Map<String, Object> json(PrData.Capabilities c) {
        return Json.object("crh", c.crh(), "sipC", c.sipC(), "atpC", c.atpC(), "ptplC", c.ptplC(),
                "rlrC", c.rlrC(), "tmv", c.tmv(), "allowCommands", c.allowCommands(), "ptplA", c.ptplA(),
                "types", c.tmv() ? c.types() : null);
    }

    private static String yesNo(boolean bit) {
        return bit ? "yes" : "no";
    }
}

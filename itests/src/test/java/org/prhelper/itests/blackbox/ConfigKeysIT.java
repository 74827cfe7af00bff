package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.Test;
import org.prhelper.itests.Build;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A configuration key is declared once, in its component's metatype (the annotation its component
 * reads); the places that repeat it for people must name the same keys: the assembly's
 * etc/org.prhelper.*.cfg files (set or commented), the feature's {@code <config>} blocks, and
 * docs/configuration.md's table for each PID. Read from the distribution's bundles, so a key added to
 * an annotation and not documented, or a documented key no component reads, fails here.
 */
public class ConfigKeysIT {
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*");
    /** A line of a .cfg that sets a key, or shows one commented out: "key = value", "# key = value". */
    private static final Pattern CFG_LINE = Pattern.compile("^#?\\s*(" + KEY.pattern() + ")\\s*=.*$");

    private final Path assembly = Path.of(Build.property("prhelper.assembly"));
    private final Path root = Path.of(Build.property("prhelper.root"));

    @Test
    public void everyPlaceNamesTheMetatypesKeys() throws Exception {
        Map<String, Set<String>> metatype = metatype();
        assertTrue("metatypes found: " + metatype.keySet(), metatype.size() >= 8);
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.list(assembly.resolve("etc"))) {
            for (Path cfg : files.filter(p -> p.getFileName().toString().matches("org\\.prhelper\\..*\\.cfg"))
                    .sorted().toList()) {
                String pid = pid(cfg.getFileName().toString().replaceFirst("\\.cfg$", ""));
                for (String line : Files.readAllLines(cfg)) {
                    Matcher m = CFG_LINE.matcher(line.trim());
                    if (m.matches()) {
                        unknown(metatype, pid, m.group(1), "etc/" + cfg.getFileName(), wrong);
                    }
                }
            }
        }
        String features = Files.readString(root.resolve("features/src/main/feature/feature.xml"));
        Matcher block = Pattern.compile("<config name=\"([^\"]+)\">(.*?)</config>", Pattern.DOTALL).matcher(features);
        while (block.find()) {
            if (block.group(1).startsWith("org.prhelper.")) {
                for (String line : block.group(2).split("\n")) {
                    Matcher m = CFG_LINE.matcher(line.trim());
                    if (m.matches()) {
                        unknown(metatype, pid(block.group(1)), m.group(1), "feature.xml " + block.group(1), wrong);
                    }
                }
            }
        }
        Map<String, Set<String>> documented = documented();
        for (Map.Entry<String, Set<String>> e : metatype.entrySet()) {
            Set<String> missing = new TreeSet<>(e.getValue());
            missing.removeAll(documented.getOrDefault(e.getKey(), Set.of()));
            if (!missing.isEmpty()) {
                wrong.add("docs/configuration.md, section " + e.getKey() + ": no row for " + missing);
            }
        }
        for (Map.Entry<String, Set<String>> e : documented.entrySet()) {
            for (String key : e.getValue()) {
                unknown(metatype, e.getKey(), key, "docs/configuration.md", wrong);
            }
        }
        assertEquals("keys that no metatype declares, or that a place leaves out", List.of(), wrong);
    }

    private static void unknown(Map<String, Set<String>> metatype, String pid, String key, String where,
            List<String> wrong) {
        Set<String> keys = metatype.get(pid);
        if (keys == null) {
            wrong.add(where + ": no metatype for " + pid);
        } else if (!keys.contains(key)) {
            wrong.add(where + ": " + key + " is not a key of " + pid + " " + keys);
        }
    }

    /** The PID a file or section names: org.prhelper.socket-NAME is an instance of org.prhelper.socket. */
    private static String pid(String name) {
        return name.startsWith("org.prhelper.socket-") ? "org.prhelper.socket" : name;
    }

    /** Keys by PID (or factory PID), from the metatype documents in our bundles. */
    private Map<String, Set<String>> metatype() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        Map<String, Set<String>> byPid = new TreeMap<>();
        List<Path> jars;
        try (Stream<Path> files = Files.walk(assembly.resolve("system/org/prhelper"))) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements();) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.getName().startsWith("OSGI-INF/metatype/") || !entry.getName().endsWith(".xml")) {
                        continue;
                    }
                    try (InputStream in = file.getInputStream(entry)) {
                        Element doc = factory.newDocumentBuilder().parse(in).getDocumentElement();
                        Map<String, Set<String>> byOcd = new HashMap<>();
                        NodeList ocds = doc.getElementsByTagName("OCD");
                        for (int i = 0; i < ocds.getLength(); i++) {
                            Element ocd = (Element) ocds.item(i);
                            Set<String> ids = new TreeSet<>();
                            NodeList ads = ocd.getElementsByTagName("AD");
                            for (int j = 0; j < ads.getLength(); j++) {
                                ids.add(((Element) ads.item(j)).getAttribute("id"));
                            }
                            byOcd.put(ocd.getAttribute("id"), ids);
                        }
                        NodeList designates = doc.getElementsByTagName("Designate");
                        for (int i = 0; i < designates.getLength(); i++) {
                            Element d = (Element) designates.item(i);
                            String pid = d.hasAttribute("factoryPid") ? d.getAttribute("factoryPid") : d.getAttribute("pid");
                            String ocd = ((Element) d.getElementsByTagName("Object").item(0)).getAttribute("ocdref");
                            byPid.put(pid, byOcd.get(ocd));
                        }
                    }
                }
            }
        }
        return byPid;
    }

    /** The keys in the first column of each "## `org.prhelper...`" section's tables. */
    private Map<String, Set<String>> documented() throws Exception {
        Map<String, Set<String>> byPid = new TreeMap<>();
        String pid = null;
        Pattern section = Pattern.compile("^## `(org\\.prhelper\\.[^`]+)`.*");
        Pattern code = Pattern.compile("`([^`]+)`");
        for (String line : Files.readAllLines(root.resolve("docs/configuration.md"))) {
            Matcher s = section.matcher(line);
            if (s.matches()) {
                pid = pid(s.group(1).replace("-NAME", "-"));
                byPid.put(pid, new TreeSet<>());
            } else if (line.startsWith("## ")) {
                pid = null;
            } else if (pid != null && line.startsWith("| `")) {
                // "`key`", "`key`, `key`", or "`key` without `value`": the keys before any other word.
                String firstCell = line.substring(1, line.indexOf('|', 1)).trim();
                Matcher c = code.matcher(firstCell);
                int at = 0;
                while (c.find() && firstCell.substring(at, c.start()).matches("[\\s,]*")) {
                    if (KEY.matcher(c.group(1)).matches()) {
                        byPid.get(pid).add(c.group(1));
                    }
                    at = c.end();
                }
            }
        }
        return byPid;
    }
}

package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;
import org.prhelper.itests.Build;

/**
 * docs/architecture.md's "Classes, bundle by bundle" names every class of the main code under the
 * folder (bundle or launcher) that holds it, and nothing else: a class added, moved or removed
 * without the page following fails here.
 */
public class ArchitectureDocIT {
    private static final String SECTION = "## Classes, bundle by bundle";
    private static final Pattern FOLDER = Pattern.compile("^### (\\S+)$");
    private static final Pattern ENTRY = Pattern.compile("^- `([A-Z][A-Za-z0-9]*)`: \\S.*$");

    private final Path root = Path.of(Build.property("prhelper.root"));

    @Test
    public void listsEveryClassUnderItsFolder() throws IOException {
        Map<String, String> documented = documented();
        Map<String, String> classes = classes();
        assertTrue("classes found: " + classes.size(), classes.size() > 100);
        TreeSet<String> wrong = new TreeSet<>();
        classes.forEach((name, folder) -> {
            String listed = documented.get(name);
            if (listed == null) {
                wrong.add(name + " (" + folder + ") is not listed");
            } else if (!listed.equals(folder)) {
                wrong.add(name + " is listed under " + listed + " but lives in " + folder);
            }
        });
        documented.keySet().stream().filter(name -> !classes.containsKey(name))
                .forEach(name -> wrong.add(name + " is listed but no such class exists"));
        assertEquals("docs/architecture.md, \"" + SECTION.substring(3) + "\"", List.of(), List.copyOf(wrong));
    }

    /** Class name to folder, from the section; a line in it that is neither a folder nor an entry fails. */
    private Map<String, String> documented() throws IOException {
        List<String> lines = Files.readAllLines(root.resolve("docs/architecture.md"));
        int start = lines.indexOf(SECTION);
        assertTrue("no section " + SECTION, start >= 0);
        Map<String, String> out = new TreeMap<>();
        String folder = null;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher f = FOLDER.matcher(line);
            Matcher e = ENTRY.matcher(line);
            if (f.matches()) {
                folder = f.group(1);
            } else if (e.matches() && folder != null) {
                assertEquals("listed twice: " + e.group(1), null, out.put(e.group(1), folder));
            } else {
                assertTrue("not an entry of " + folder + ": " + line, folder == null || line.isBlank());
            }
        }
        return out;
    }

    /** Every top-level class of bundles/NAME/src/main/java and launcher/src/main/java, to its folder. */
    private Map<String, String> classes() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> bundles = Files.list(root.resolve("bundles"))) {
            for (Path bundle : bundles.sorted().toList()) {
                add(bundle, "bundles/" + bundle.getFileName(), out);
            }
        }
        add(root.resolve("launcher"), "launcher", out);
        return out;
    }

    private static void add(Path module, String folder, Map<String, String> out) throws IOException {
        Path sources = module.resolve("src/main/java");
        if (!Files.isDirectory(sources)) {
            return;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".java") && !n.equals("package-info.java"))
                    .forEach(n -> assertEquals("two classes named " + n, null,
                            out.put(n.substring(0, n.length() - ".java".length()), folder)));
        }
    }
}

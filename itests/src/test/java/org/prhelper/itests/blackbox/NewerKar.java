package org.prhelper.itests.blackbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The next minor version of a KAR, for the upgrade test (one build makes one KAR, of one version):
 * the same bundles, with our Maven version raised everywhere Karaf reads it (the repository paths,
 * the features repository and its feature versions, the KAR's manifest) and each of our bundles'
 * Bundle-Version raised alike, so that Karaf sees a newer release of every prhelper artifact.
 */
final class NewerKar {
    private static final Pattern MAVEN_VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)(-SNAPSHOT)?");
    private static final String OUR_ARTIFACTS = "repository/org/prhelper/";

    private final String oldVersion;
    private final String newVersion;
    private final String oldBundleVersion;
    private final String newBundleVersion;

    private NewerKar(String oldVersion) {
        Matcher m = MAVEN_VERSION.matcher(oldVersion);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a MAJOR.MINOR.MICRO[-SNAPSHOT] version: " + oldVersion);
        }
        int minor = Integer.parseInt(m.group(2)) + 1;
        this.oldVersion = oldVersion;
        this.newVersion = m.group(1) + "." + minor + ".0" + (m.group(4) == null ? "" : m.group(4));
        this.oldBundleVersion = m.group(1) + "." + m.group(2) + "." + m.group(3);
        this.newBundleVersion = m.group(1) + "." + minor + ".0";
    }

    /** Writes the newer KAR into {@code dir}, named as the build would name it; returns its path. */
    static Path write(Path kar, String version, Path dir) throws IOException {
        NewerKar newer = new NewerKar(version);
        Path out = dir.resolve(kar.getFileName().toString().replace(version, newer.newVersion));
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(kar));
                ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                String name = e.getName().startsWith(OUR_ARTIFACTS) ? newer.raise(e.getName()) : e.getName();
                zip.putNextEntry(new ZipEntry(name));
                byte[] content = in.readAllBytes();
                if (name.equals("META-INF/MANIFEST.MF")) {
                    zip.write(newer.karManifest(content));
                } else if (name.startsWith(OUR_ARTIFACTS) && name.endsWith(".jar")) {
                    newer.bundle(new ByteArrayInputStream(content), zip);
                } else if (name.endsWith(".xml") || name.endsWith(".properties")) {
                    zip.write(newer.raise(new String(content, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                } else {
                    zip.write(content);
                }
                zip.closeEntry();
            }
        }
        return out;
    }

    /** Our Bundle-Version as the newer KAR has it: the qualifier (a build stamp) is kept. */
    static String newBundleVersionPrefix(String version) {
        return new NewerKar(version).newBundleVersion + ".";
    }

    private String raise(String text) {
        return text.replace(oldVersion, newVersion);
    }

    private byte[] karManifest(byte[] content) throws IOException {
        Manifest manifest = new Manifest(new ByteArrayInputStream(content));
        Attributes main = manifest.getMainAttributes();
        main.putValue("Karaf-Feature-Repos", raise(main.getValue("Karaf-Feature-Repos")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        manifest.write(out);
        return out.toByteArray();
    }

    /** Copies one of our bundles, its Bundle-Version raised if it carries our version. */
    private void bundle(InputStream jar, OutputStream target) throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(jar); ZipOutputStream out = new ZipOutputStream(copy)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                out.putNextEntry(new ZipEntry(e.getName()));
                byte[] content = in.readAllBytes();
                if (e.getName().equals("META-INF/MANIFEST.MF")) {
                    Manifest manifest = new Manifest(new ByteArrayInputStream(content));
                    Attributes main = manifest.getMainAttributes();
                    String version = main.getValue("Bundle-Version");
                    // Our wrap of junixsocket carries junixsocket's own version: a newer KAR keeps it.
                    if (version != null && version.startsWith(oldBundleVersion + ".")) {
                        main.putValue("Bundle-Version", newBundleVersion + version.substring(oldBundleVersion.length()));
                    }
                    manifest.write(out);
                } else {
                    out.write(content);
                }
                out.closeEntry();
            }
        }
        target.write(copy.toByteArray());
    }
}

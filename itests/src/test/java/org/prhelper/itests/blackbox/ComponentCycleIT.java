package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.Test;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.prhelper.itests.Build;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * No chain of eagerly bound references among our components leads back to where it started. SCR
 * gets a bound service while it activates the component that binds it, so such a cycle makes SCR
 * log "ServiceFactory.getService() resulted in a cycle" as a FrameworkEvent ERROR whenever the
 * components start together (a KAR, a refresh) in an unlucky order: KarIT met it in CI only now and
 * then. This check reads the descriptors in the distribution's bundles, so it fails every time.
 * A reference that the component looks up when it needs it (no field, bind method or constructor
 * parameter) is not bound at activation and closes no cycle.
 */
public class ComponentCycleIT {

    @Test
    public void noCycleOfBoundReferences() throws Exception {
        Map<String, Component> components = components();
        assertTrue("no components found in the distribution's bundles", components.size() >= 8);
        for (String start : components.keySet()) {
            List<String> cycle = cycleFrom(start, components);
            if (cycle != null) {
                fail("the bound references form a cycle: " + String.join(" -> ", cycle));
            }
        }
    }

    private record Component(Set<String> provides, Map<String, String> properties, List<Element> binds) {
        boolean offers(Element reference) throws InvalidSyntaxException {
            String target = reference.getAttribute("target");
            return provides.contains(reference.getAttribute("interface"))
                    && (target.isEmpty() || FrameworkUtil.createFilter(target).matches(properties));
        }
    }

    /** The first cycle back to start through bound references (as component names), or null. */
    private static List<String> cycleFrom(String start, Map<String, Component> components)
            throws InvalidSyntaxException {
        Deque<List<String>> paths = new ArrayDeque<>();
        paths.push(List.of(start));
        Set<String> seen = new HashSet<>();
        while (!paths.isEmpty()) {
            List<String> path = paths.pop();
            String last = path.get(path.size() - 1);
            for (Element reference : components.get(last).binds()) {
                for (Map.Entry<String, Component> next : components.entrySet()) {
                    if (!next.getValue().offers(reference)) {
                        continue;
                    }
                    List<String> longer = new ArrayList<>(path);
                    longer.add(next.getKey() + " (as " + reference.getAttribute("interface") + ")");
                    if (next.getKey().equals(start)) {
                        return longer;
                    }
                    if (seen.add(next.getKey())) {
                        List<String> walk = new ArrayList<>(path);
                        walk.add(next.getKey());
                        paths.push(walk);
                    }
                }
            }
        }
        return null;
    }

    private static Map<String, Component> components() throws Exception {
        String assembly = Build.property("prhelper.assembly");
        List<Path> jars;
        try (Stream<Path> files = Files.walk(Paths.get(assembly, "system", "org", "prhelper"))) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).collect(Collectors.toList());
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Map<String, Component> components = new LinkedHashMap<>();
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                String header = file.getManifest().getMainAttributes().getValue("Service-Component");
                if (header == null) {
                    continue;
                }
                for (String name : header.split(",")) {
                    ZipEntry entry = file.getEntry(name.trim());
                    if (entry == null) {
                        fail(jar + " names " + name + " in Service-Component but does not hold it");
                    }
                    try (InputStream in = file.getInputStream(entry)) {
                        Element root = factory.newDocumentBuilder().parse(in).getDocumentElement();
                        components.put(root.getAttribute("name"), component(root));
                    }
                }
            }
        }
        return components;
    }

    private static Component component(Element root) {
        Set<String> provides = new HashSet<>();
        NodeList provide = root.getElementsByTagNameNS("*", "provide");
        for (int i = 0; i < provide.getLength(); i++) {
            provides.add(((Element) provide.item(i)).getAttribute("interface"));
        }
        Map<String, String> properties = new HashMap<>();
        NodeList property = root.getElementsByTagNameNS("*", "property");
        for (int i = 0; i < property.getLength(); i++) {
            Element p = (Element) property.item(i);
            properties.put(p.getAttribute("name"), p.getAttribute("value"));
        }
        List<Element> binds = new ArrayList<>();
        NodeList references = root.getElementsByTagNameNS("*", "reference");
        for (int i = 0; i < references.getLength(); i++) {
            Element reference = (Element) references.item(i);
            if (reference.hasAttribute("field") || reference.hasAttribute("bind")
                    || reference.hasAttribute("parameter")) {
                binds.add(reference);
            }
        }
        return new Component(provides, properties, binds);
    }
}

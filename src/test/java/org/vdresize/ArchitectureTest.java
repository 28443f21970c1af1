package org.vdresize;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package boundaries of docs/architecture.md ("Package rules"), checked on the compiled main classes and,
 * because javac copies constants into the classes that use them (a dependency the bytecode no longer shows),
 * on the import lines of the main sources too. A new top-level package fails
 * {@link #everyTopLevelPackageIsClassified()} until it is put in one of the groups below.
 */
class ArchitectureTest {

    static final String ROOT = "org.vdresize";

    /** Feature packages: they know neither the engine, HTTP, the configuration nor libvirt. */
    static final Set<String> DOMAIN = Set.of(
            "resize", "storage", "vm", "guest", "audit", "inventory", "lock", "common", "watch");
    /** The engine's side: delegates, listeners, engine plugins, the ports the engine implements. */
    static final Set<String> ENGINE = Set.of("process");
    /** The REST API of /api. */
    static final Set<String> WEB = Set.of("api");
    /** The libvirt adapter: the only package that sees libvirt-java and JNA. */
    static final Set<String> ADAPTER = Set.of("libvirt");
    /** Spring configuration: properties, security, engine set-up; builds the domain's settings records. */
    static final Set<String> CONFIG = Set.of("config");

    /**
     * The one class of org.camunda.bpm.engine.impl that the engine's public API hands out and takes
     * ({@code IdentityService.getCurrentAuthentication()}, {@code setAuthentication(Authentication)}).
     */
    static final String ENGINE_AUTHENTICATION = "org.camunda.bpm.engine.impl.identity.Authentication";

    static final Path SOURCES = Path.of("src/main/java/org/vdresize");
    static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(org\\.vdresize\\.([a-z0-9_]+)\\.[\\w.*]+);",
            Pattern.MULTILINE);

    static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void everyTopLevelPackageIsClassified() throws IOException {
        Set<String> unclassified = new TreeSet<>();
        for (JavaClass c : classes) {
            String top = topLevelPackage(c.getPackageName());
            if (top != null && group(top) == null) {
                unclassified.add(ROOT + "." + top);
            }
        }
        try (Stream<Path> dirs = Files.list(SOURCES)) {
            dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                    .filter(top -> group(top) == null).forEach(top -> unclassified.add(ROOT + "." + top));
        }
        assertThat(unclassified)
                .as("top-level packages not classified in ArchitectureTest: put each in DOMAIN, ENGINE, WEB,"
                        + " ADAPTER or CONFIG there, and in docs/architecture.md")
                .isEmpty();
    }

    @Test
    void onlyTheAdapterSeesLibvirtAndJna() {
        noClasses().that().resideOutsideOfPackages(packages(ADAPTER))
                .should().dependOnClassesThat().resideInAnyPackage("org.libvirt..", "com.sun.jna..")
                .because("libvirt-java and JNA stay inside the libvirt adapter")
                .check(classes);
    }

    @Test
    void onlyProcessAndConfigSeeCamunda() {
        noClasses().that().resideOutsideOfPackages(packages(ENGINE, CONFIG))
                .should().dependOnClassesThat().resideInAPackage("org.camunda..")
                .because("the engine is reached through ports that process implements")
                .check(classes);
    }

    @Test
    void domainKnowsNeitherApiProcessConfigNorLibvirt() {
        noClasses().that().resideInAnyPackage(packages(DOMAIN))
                .should().dependOnClassesThat().resideInAnyPackage(packages(WEB, ENGINE, CONFIG, ADAPTER))
                .because("calls point inward: settings reach the domain as its own records, the engine and"
                        + " libvirt through its ports")
                .check(classes);
    }

    @Test
    void noCyclesBetweenTopLevelPackages() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void engineInternalsOnlyInPlugins() {
        noClasses().that(areOutsideAnEnginePlugin())
                .should().dependOnClassesThat(resideInAnyPackage("org.camunda.bpm.engine.impl..")
                        .and(not(name(ENGINE_AUTHENTICATION))))
                .because("the engine's internal API may change in any patch release; only engine plugins"
                        + " (classes named *Plugin) use it")
                .check(classes);
    }

    /** The same rules on the import lines, which still show the constants javac copied into a class. */
    @Test
    void importsKeepTheDomainInwardAndThePackagesFreeOfCycles() throws IOException {
        Map<String, Map<String, String>> edges = new TreeMap<>(); // package -> imported package -> an example
        List<String> outward = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = topLevelPackage(ROOT + "." + SOURCES.relativize(file.getParent()).toString()
                        .replace(java.io.File.separatorChar, '.'));
                String className = ROOT + "." + SOURCES.relativize(file).toString()
                        .replace(java.io.File.separatorChar, '.').replaceAll("\\.java$", "");
                if (from == null) {
                    continue;
                }
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    String to = m.group(2);
                    if (to.equals(from)) {
                        continue;
                    }
                    if (DOMAIN.contains(from) && outwardOfTheDomain(to)) {
                        outward.add(className + " imports " + m.group(1));
                    }
                    edges.computeIfAbsent(from, k -> new TreeMap<>())
                            .putIfAbsent(to, className + " imports " + m.group(1));
                }
            }
        }
        List<String> problems = new ArrayList<>(outward);
        cycles(edges).forEach(cycle -> problems.add("cycle: " + cycle));
        assertThat(problems).as("domain classes importing api, process, config or libvirt; cycles between"
                + " top-level packages in the import lines").isEmpty();
    }

    static boolean outwardOfTheDomain(String top) {
        return WEB.contains(top) || ENGINE.contains(top) || CONFIG.contains(top) || ADAPTER.contains(top);
    }

    /** Each cycle of the package graph once, as its edges with one import that makes each. */
    static List<String> cycles(Map<String, Map<String, String>> edges) {
        List<String> found = new ArrayList<>();
        Set<String> reported = new TreeSet<>();
        for (String start : edges.keySet()) {
            List<String> path = new ArrayList<>();
            path.add(start);
            findCycles(start, start, edges, path, found, reported);
        }
        return found;
    }

    private static void findCycles(String start, String at, Map<String, Map<String, String>> edges,
                                   List<String> path, List<String> found, Set<String> reported) {
        for (Map.Entry<String, String> edge : edges.getOrDefault(at, Map.of()).entrySet()) {
            String next = edge.getKey();
            if (next.equals(start)) {
                Set<String> members = new TreeSet<>(path);
                if (reported.add(members.toString())) {
                    StringBuilder cycle = new StringBuilder();
                    for (int i = 0; i < path.size(); i++) {
                        String to = i + 1 < path.size() ? path.get(i + 1) : start;
                        cycle.append(path.get(i)).append(" -> ").append(to).append(" (")
                                .append(edges.get(path.get(i)).get(to)).append(") ");
                    }
                    found.add(cycle.toString().trim());
                }
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                findCycles(start, next, edges, path, found, reported);
                path.remove(path.size() - 1);
            }
        }
    }

    /** A class, or a class nested in one, whose name does not end with Plugin. */
    static DescribedPredicate<JavaClass> areOutsideAnEnginePlugin() {
        return DescribedPredicate.describe("are not (nested in) a class named *Plugin",
                c -> !outermost(c).getSimpleName().endsWith("Plugin"));
    }

    static JavaClass outermost(JavaClass c) {
        JavaClass outer = c;
        while (outer.getEnclosingClass().isPresent()) {
            outer = outer.getEnclosingClass().get();
        }
        return outer;
    }

    /** The package under org.vdresize that a package belongs to; null for org.vdresize itself. */
    static String topLevelPackage(String pkg) {
        if (!pkg.startsWith(ROOT + ".")) {
            return null;
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    static Set<String> group(String top) {
        for (Set<String> group : List.of(DOMAIN, ENGINE, WEB, ADAPTER, CONFIG)) {
            if (group.contains(top)) {
                return group;
            }
        }
        return null;
    }

    @SafeVarargs
    static String[] packages(Set<String>... groups) {
        Set<String> all = new TreeSet<>();
        for (Set<String> group : groups) {
            for (String name : group) {
                all.add(ROOT + "." + name + "..");
            }
        }
        return all.toArray(String[]::new);
    }
}

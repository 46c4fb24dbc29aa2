package io.canaryjudge.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package layout of docs/adr/0013-package-layout.md: packages by feature in floors, each importing only the floors
 * below it, and no cycle between packages. A change that imports upwards fails here with the offending lines.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.canaryjudge");

    /** Bottom to top. A package may import its own floor and the floors below. */
    private static final List<String[]> FLOORS = List.of(
        // the statistics: no framework, no I/O
        new String[] {"io.canaryjudge.judge.."},
        // what the service is told and what it reads: templates, the event contract, problems, metric sources
        new String[] {"io.canaryjudge.template..", "io.canaryjudge.event..", "io.canaryjudge.problem..",
            "io.canaryjudge.metrics..", "io.canaryjudge.supplychain.."},
        // the store of analyses and the verdict publisher
        new String[] {"io.canaryjudge.verdict.."},
        // running analyses; DORA figures from stored verdicts
        new String[] {"io.canaryjudge.analysis..", "io.canaryjudge.dora.."},
        // consumers of verdicts and of the analysis pipeline
        new String[] {"io.canaryjudge.rollback..", "io.canaryjudge.backtest.."},
        // the edges: Kafka intake, REST, integrations, authentication, CDEvents in and out
        new String[] {"io.canaryjudge.intake..", "io.canaryjudge.api..", "io.canaryjudge.integrations..",
            "io.canaryjudge.auth..", "io.canaryjudge.cdevents.."});

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.canaryjudge.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void noFloorImportsAFloorAboveIt() {
        for (int i = 0; i < FLOORS.size() - 1; i++) {
            String[] floor = FLOORS.get(i);
            String[] above = FLOORS.subList(i + 1, FLOORS.size()).stream().flatMap(Arrays::stream)
                .toArray(String[]::new);
            noClasses().that().resideInAnyPackage(floor).should().dependOnClassesThat().resideInAnyPackage(above)
                .because("floor " + i + " " + Arrays.toString(floor) + " is below " + Arrays.toString(above))
                .check(CLASSES);
        }
    }

    @Test
    void everyPackageHasAFloor() {
        String[] all = FLOORS.stream().flatMap(Arrays::stream).toArray(String[]::new);
        classes().that().resideOutsideOfPackage("io.canaryjudge").should().resideInAnyPackage(all)
            .because("a new package needs its place in ArchitectureTest.FLOORS").check(CLASSES);
    }

    @Test
    void theJudgeIsFreeOfTheFramework() {
        classes().that().resideInAPackage("io.canaryjudge.judge..").should().onlyDependOnClassesThat()
            .resideInAnyPackage("io.canaryjudge.judge..", "java..", "org.apache.commons.math3..",
                "org.apache.commons.statistics..", "org.apache.commons.numbers..")
            .check(CLASSES);
    }

    @Test
    void noProductionClassIsNamedLikeATest() {
        noClasses().should().haveSimpleNameEndingWith("Test")
            .because("a production class named ...Test gives test classes named ...TestTest").check(CLASSES);
    }

    /**
     * Top-level type names are unique, and no nested type takes a top-level type's name: a reader should not need
     * the package to know which Outcome or Target is meant. Nested helpers (an Action, a Kind) read with their
     * outer type's name and may repeat.
     */
    @Test
    void typeNamesAreUnique() {
        java.util.Map<String, List<String>> topLevel = new java.util.TreeMap<>();
        CLASSES.stream().filter(c -> c.isTopLevelClass() && !c.getSimpleName().equals("package-info"))
            .forEach(c -> topLevel.computeIfAbsent(c.getSimpleName(), k -> new java.util.ArrayList<>()).add(c.getName()));
        List<String> clashes = new java.util.ArrayList<>();
        topLevel.values().stream().filter(v -> v.size() > 1).forEach(v -> clashes.add(v.toString()));
        CLASSES.stream().filter(c -> c.isNestedClass() && topLevel.containsKey(c.getSimpleName()))
            .forEach(c -> clashes.add(c.getName() + " vs " + topLevel.get(c.getSimpleName())));
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), clashes, "one name, one type");
    }

    @Test
    void servicesThrowDomainExceptionsNotRestOnes() {
        noClasses().that().resideOutsideOfPackages("io.canaryjudge.api..", "io.canaryjudge.auth..")
            .and().haveSimpleNameNotEndingWith("Resource").and().haveSimpleNameNotEndingWith("Filter")
            .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..")
            .because("services throw io.canaryjudge.problem exceptions; only the REST edge speaks HTTP")
            .check(CLASSES);
    }

    /**
     * The JVM checks a signed jar's signature and every entry's digest when it first loads a class from it (for JGit
     * a visible share of start-up; BENCHMARKS.md). Beans are created at start-up, so they name no type from the signed
     * jars (JGit, Bouncy Castle); the work that needs them sits in classes loaded only when it runs.
     */
    @Test
    void beansNameNoTypeFromASignedJar() {
        noClasses().that().areAnnotatedWith("jakarta.inject.Singleton")
            .or().areAnnotatedWith("jakarta.enterprise.context.ApplicationScoped")
            .or().areAnnotatedWith("jakarta.enterprise.context.Dependent")
            .or().areAnnotatedWith("io.quarkus.runtime.Startup")
            .should().dependOnClassesThat().resideInAnyPackage("org.eclipse.jgit..", "org.bouncycastle..")
            .because("a signed jar is verified when its first class loads; beans are made at start-up")
            .check(CLASSES);
    }
}

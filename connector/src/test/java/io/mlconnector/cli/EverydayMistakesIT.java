package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.demo.DemoWorld;
import io.mlconnector.sim.Simulators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, the documented everyday mistakes that need a service to happen (EverydayMistakesTest has those that do
 * not): each ends in one line on stderr with no stack trace, naming the key or flag that fixes it.
 */
public class EverydayMistakesIT {
    @TempDir
    Path dir;

    /** A mistake: how to make it in a configuration that works, the command, and what the message must name. */
    private record Mistake(String what, Function<String, String> breakConfig, List<String> args, int exit, List<String> named) {}

    @Test
    void powerBiMistakesAreOneLineNamingTheKey() throws Exception {
        try (Simulators sims = Simulators.start(0, 7, Clock.systemUTC())) {
            // Chosen once the simulators listen: chosen before, the port was once handed to the Entra simulator itself.
            int closed = ConnectPowerBiIT.freePort();
            Path pem = dir.resolve("entra.pem");
            Files.writeString(pem, sims.entra().certificatePem());
            String good = String.join("\n", "server:", "  public-base-url: http://127.0.0.1:1", "freshbooks:",
                    "  client-id: unused", "  client-secret: unused", "powerbi:",
                    "  authority-host: " + sims.entra().baseUrl(), "  tenant-id: " + sims.demoApp().tenantId(),
                    "  client-id: " + sims.demoApp().clientId(), "  client-secret: " + sims.demoApp().clientSecret(),
                    "  api-base-url: " + sims.powerBi().baseUrl(), "  workspace-id: " + sims.demoWorkspaceId(),
                    "  trusted-certificate-pem: " + pem, "");
            List<Mistake> mistakes = List.of(
                    new Mistake("Power BI unreachable", c -> c.replace(sims.powerBi().baseUrl(), "http://127.0.0.1:" + closed),
                            List.of("dataset", "check"), 1, List.of("http://127.0.0.1:" + closed, "powerbi.api-base-url")),
                    new Mistake("a workspace the principal is not in", c -> c.replace(sims.demoWorkspaceId(),
                            "99999999-9999-9999-9999-999999999999"), List.of("dataset", "create"), 1,
                            List.of("powerbi.workspace-id", "Member")),
                    new Mistake("a wrong Power BI client secret", c -> c.replace(sims.demoApp().clientSecret(), "wrong"),
                            List.of("connect", "powerbi"), ConnectPowerBiCommand.TOKEN_REFUSED, List.of("powerbi.client-secret")),
                    new Mistake("Entra ID unreachable", c -> c.replace(sims.entra().baseUrl(), "https://127.0.0.1:" + closed),
                            List.of("connect", "powerbi"), ConnectPowerBiCommand.UNREACHABLE, List.of("powerbi.authority-host")));
            for (Mistake mistake : mistakes) {
                Path config = dir.resolve(mistake.what().replace(' ', '-') + ".yaml");
                Files.writeString(config, mistake.breakConfig().apply(good));
                List<String> args = new java.util.ArrayList<>(mistake.args());
                args.addAll(List.of("--config", config.toString()));

                Run run = DatasetCommandIT.run(args.toArray(String[]::new));

                assertOneLineNaming(mistake.what(), run, mistake.exit(), mistake.named());
            }
        }
    }

    @Test
    void adminApiMistakesAreOneLineNamingTheFlag() throws Exception {
        int closed = ConnectPowerBiIT.freePort();
        assertOneLineNaming("no connector at --url", DatasetCommandIT.run("webhooks", "list", "--url",
                "http://127.0.0.1:" + closed), 1, List.of("--url", "admin.port"));
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dir.resolve("data")), Clock.systemUTC())) {
            assertOneLineNaming("an unknown tenant", DatasetCommandIT.run("webhooks", "repair", "--tenant", "nobody",
                    "--url", world.adminUrl().toString()), 1, List.of("--tenant", "nobody"));
        }
    }

    private static void assertOneLineNaming(String what, Run run, int exit, List<String> named) {
        assertThat(run.exit()).as(what + "\n" + run).isEqualTo(exit);
        assertThat(run.err().lines().toList()).as(what + "\n" + run).singleElement().asString()
                .contains(named).doesNotContain("\tat ");
    }
}

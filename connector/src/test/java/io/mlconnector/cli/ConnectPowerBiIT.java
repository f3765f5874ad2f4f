package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.sim.Simulators;
import io.mlconnector.sim.common.FaultInjector;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlc connect powerbi} against the Entra and Power BI simulators: ready, and each way it is not, with its own
 * exit code and one line naming the key or setting that fixes it.
 */
public class ConnectPowerBiIT {
    @TempDir
    Path dir;
    private Simulators sims;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        sims = Simulators.start(0, 7, Clock.systemUTC());
        Path pem = dir.resolve("entra.pem");
        Files.writeString(pem, sims.entra().certificatePem());
        config = dir.resolve("ml-connector.yaml");
        Files.writeString(config, String.join("\n",
                "server:",
                "  public-base-url: http://127.0.0.1:1",
                "freshbooks:",
                "  client-id: unused",
                "  client-secret: unused",
                "powerbi:",
                "  authority-host: " + sims.entra().baseUrl(),
                "  tenant-id: " + sims.demoApp().tenantId(),
                "  client-id: " + sims.demoApp().clientId(),
                "  client-secret: " + sims.demoApp().clientSecret(),
                "  api-base-url: " + sims.powerBi().baseUrl(),
                "  workspace-id: " + sims.demoWorkspaceId(),
                "  trusted-certificate-pem: " + pem,
                ""));
    }

    @AfterEach
    void stop() {
        sims.close();
    }

    private Run connect() {
        return DatasetCommandIT.run("connect", "powerbi", "--config", config.toString());
    }

    private void replace(String from, String to) throws Exception {
        String text = Files.readString(config);
        assertThat(text).contains(from);
        Files.writeString(config, text.replace(from, to));
    }

    private static void assertOneLine(Run run, String... named) {
        assertThat(run.err().lines().toList()).as(run.toString()).singleElement().asString().contains(named)
                .doesNotContain("\tat ");
    }

    @Test
    void aReadyWorkspaceExitsZeroAndLeavesNoProbeBehind() {
        Run ready = connect();

        assertThat(ready.exit()).as(ready.toString()).isZero();
        assertThat(ready.out()).contains("issued a Power BI token", "Workspace: " + sims.demoWorkspaceId(),
                "creating a push dataset works", "Power BI is ready");
        assertThat(sims.powerBi().datasets()).isEmpty();
    }

    @Test
    void aWrongClientSecretNamesTheKeyWithoutTheSecret() throws Exception {
        replace("client-secret: " + sims.demoApp().clientSecret(), "client-secret: not-the-secret");

        Run refused = connect();

        assertThat(refused.exit()).isEqualTo(ConnectPowerBiCommand.TOKEN_REFUSED);
        assertOneLine(refused, "AADSTS7000215", "powerbi.client-secret");
        assertThat(refused.err()).doesNotContain("not-the-secret");
    }

    @Test
    void anUnreachablePowerBiNamesItsUrlAndKey() throws Exception {
        String closed = "http://127.0.0.1:" + freePort();
        replace("api-base-url: " + sims.powerBi().baseUrl(), "api-base-url: " + closed);

        Run unreachable = connect();

        assertThat(unreachable.exit()).isEqualTo(ConnectPowerBiCommand.UNREACHABLE);
        assertOneLine(unreachable, closed, "powerbi.api-base-url", "ConnectException");
    }

    @Test
    void anUnreachableEntraNamesTheAuthorityKey() throws Exception {
        replace("authority-host: " + sims.entra().baseUrl(), "authority-host: https://127.0.0.1:" + freePort());

        Run unreachable = connect();

        assertThat(unreachable.exit()).isEqualTo(ConnectPowerBiCommand.UNREACHABLE);
        assertOneLine(unreachable, "powerbi.authority-host");
    }

    @Test
    void theAdminPortalSwitchIsExplained() {
        sims.powerBi().faults().add(FaultInjector.Rule.unauthorizedSwitch());

        Run off = connect();

        assertThat(off.exit()).isEqualTo(ConnectPowerBiCommand.TENANT_SWITCH);
        assertOneLine(off, "ServicePrincipalIsNotAllowedByTenantAdminSwitch", "Admin portal", "powerbi.client-id");
    }

    @Test
    void aWorkspaceThePrincipalIsNotInNamesTheWorkspaceKeyAndRole() throws Exception {
        replace("workspace-id: " + sims.demoWorkspaceId(), "workspace-id: 99999999-9999-9999-9999-999999999999");

        Run outside = connect();

        assertThat(outside.exit()).isEqualTo(ConnectPowerBiCommand.NO_WORKSPACE_ACCESS);
        assertOneLine(outside, "PowerBINotAuthorizedException", "powerbi.workspace-id", "Member");
    }

    @Test
    void refusedCreationSaysHowToGoOn() {
        sims.powerBi().settings(sims.powerBi().settings().withDatasetCreation(false));

        Run refused = connect();

        assertThat(refused.exit()).isEqualTo(ConnectPowerBiCommand.CANNOT_CREATE);
        assertOneLine(refused, "FeatureDeprecatedError", "powerbi.dataset-id");
        assertThat(DatasetCommandIT.run("connect", "powerbi", "--skip-create", "--config", config.toString()).exit()).isZero();
    }

    @Test
    void theHelpListsEachExitCode() {
        Run help = DatasetCommandIT.run("connect", "powerbi", "--help");

        assertThat(help.out()).contains("Exit codes:", "5   The admin-portal switch", "6   The service principal has no access");
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.sim.Simulators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimCommandIT {

    @Test
    void printsEachServiceTheDemoCredentialsAndTheCertificateFile(@TempDir Path dir) throws Exception {
        try (Simulators sims = Simulators.start(0, 42, Clock.systemUTC())) {
            Path pem = SimCommand.writeCertificate(sims, dir.resolve("certs/entra.pem"));

            List<String> lines = SimCommand.describe(sims, pem);

            assertThat(Files.readString(pem)).isEqualTo(sims.entra().certificatePem());
            assertThat(lines).containsExactly(
                    String.format("%-14s %s", "entra-id", sims.entra().baseUrl()),
                    String.format("%-14s %s", "power-bi", sims.powerBi().baseUrl()),
                    String.format("%-14s %s", "freshbooks", sims.freshBooks().baseUrl()),
                    String.format("%-14s %s", "tenant-id", "11111111-1111-1111-1111-111111111111"),
                    String.format("%-14s %s", "client-id", "22222222-2222-2222-2222-222222222222"),
                    String.format("%-14s %s", "client-secret", "demo-secret"),
                    String.format("%-14s %s", "workspace-id", "33333333-3333-3333-3333-333333333333"),
                    String.format("%-14s %s", "fb-client-id", "mlc-demo-client"),
                    String.format("%-14s %s", "fb-secret", "mlc-demo-secret"),
                    String.format("%-14s %s", "fb-user", "owner@acme.example"),
                    String.format("%-14s %s", "entra-cert", pem.toString()));
        }
    }
}

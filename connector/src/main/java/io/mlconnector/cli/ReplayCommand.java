package io.mlconnector.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Sends a quarantined batch again (after its cause is fixed); {@code mlc status} lists them. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Queue a quarantined batch for another push (fix its cause first; `mlc status` lists them). "
                + "Exit 1 when the batch is not quarantined.")
public final class ReplayCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "BATCH_ID", description = "The quarantined batch's id, as `mlc status` prints it.")
    String batchId;

    @Mixin
    ServiceOptions service;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String path = "/api/batches/" + URLEncoder.encode(batchId, StandardCharsets.UTF_8).replace("+", "%20")
                + "/replay";
        ConnectorService.Answer answer = new ConnectorService(service.baseUrl()).post(path);
        if (answer.status() == 200) {
            spec.commandLine().getOut().println("Batch " + batchId + " is replayed: queued again, or, when its record "
                    + "changed since, cancelled with its reversal so the record's current rows go (`mlc status` shows progress).");
            return 0;
        }
        if (answer.status() == 404) {
            spec.commandLine().getErr().println("Batch " + batchId
                    + " is not quarantined (unknown id, already queued or already sent); nothing replayed.");
            return 1;
        }
        throw new CommandFailure("POST " + path + " answered HTTP " + answer.status());
    }
}

package io.mlconnector.cli;

import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.powerbi.DatasetInfo;
import io.mlconnector.powerbi.PowerBiApiException;
import io.mlconnector.powerbi.PowerBiAuthException;
import io.mlconnector.powerbi.PowerBiConnection;
import io.mlconnector.powerbi.RetentionPolicy;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mlc connect powerbi}: the three things {@code serve} needs from Power BI, checked in the order they fail
 * (a token from Entra ID, the workspace, creating a push dataset), each failure one line with its cause and fix and
 * its own exit code, so a script can tell them apart.
 */
@Command(name = "powerbi", mixinStandardHelpOptions = true,
        description = {"Check that the connector can push to Power BI with the configured service principal: a token"
                + " from Entra ID, access to the workspace (powerbi.workspace-id), and the right to create push datasets"
                + " there (a throw-away dataset is created and deleted again; --skip-create leaves that out).",
                "Changes nothing else."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:Power BI is ready for mlc serve.",
                "1:An unexpected answer (the message says which).",
                "2:The configuration is incomplete or invalid.",
                "3:Entra ID refused the token request (powerbi.tenant-id, powerbi.client-id, powerbi.client-secret).",
                "4:Entra ID or Power BI did not answer (powerbi.authority-host, powerbi.api-base-url, the network).",
                "5:The admin-portal switch keeps service principals out of the Power BI APIs.",
                "6:The service principal has no access to the workspace (powerbi.workspace-id, workspace role).",
                "7:Power BI refuses to create push datasets there (a Viewer role, or push datasets retired)."})
public final class ConnectPowerBiCommand implements Callable<Integer> {
    static final int TOKEN_REFUSED = 3;
    static final int UNREACHABLE = 4;
    static final int TENANT_SWITCH = 5;
    static final int NO_WORKSPACE_ACCESS = 6;
    static final int CANNOT_CREATE = 7;

    @Mixin
    DatasetCommand.ConfigOption config;

    @Option(names = "--skip-create", description = "Do not check that a push dataset can be created (nothing is written).")
    boolean skipCreate;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ConnectorConfig.PowerBi pbi = new ConfigLoader().load(config.configFile, System.getenv()).powerbi();
        PowerBiConnection powerBi = PowerBiConnection.from(pbi, Clock.systemUTC());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        try {
            powerBi.tokens().accessToken();
        } catch (PowerBiAuthException e) {
            err.println("Power BI token: " + e.getMessage());
            return e.aadstsCode().isPresent() || e.errorCode().isPresent() ? TOKEN_REFUSED : UNREACHABLE;
        }
        out.println("Token:     Entra ID at " + pbi.authorityHost() + " issued a Power BI token to " + pbi.clientId() + ".");

        List<DatasetInfo> datasets;
        try {
            datasets = powerBi.client().listDatasets(pbi.workspaceId());
        } catch (PowerBiApiException e) {
            err.println("Workspace " + pbi.workspaceId() + ": " + e.explained());
            return exitCode(e);
        }
        String ours = datasets.stream().filter(d -> d.name().equals(pbi.datasetName())).map(DatasetInfo::id).findFirst()
                .map(id -> "dataset '" + pbi.datasetName() + "' is there (id " + id + ")")
                .orElse("no dataset '" + pbi.datasetName() + "' yet (mlc serve or mlc dataset create makes it)");
        out.println("Workspace: " + pbi.workspaceId() + " answers with " + datasets.size() + " dataset(s); " + ours + ".");

        if (!skipCreate) {
            try {
                DatasetInfo probe = powerBi.client().createDataset(pbi.workspaceId(), probeModel(), RetentionPolicy.NONE);
                powerBi.client().deleteDataset(pbi.workspaceId(), probe.id());
            } catch (PowerBiApiException e) {
                err.println("Creating a push dataset: " + e.explained()
                        + (e.status() == 403 || "FeatureDeprecatedError".equals(e.code())
                        ? " — if the service principal is a Viewer, make it a Member or Contributor; if push datasets"
                        + " are retired in this tenant, create one another way and set powerbi.dataset-id" : ""));
                int code = exitCode(e);
                return code == NO_WORKSPACE_ACCESS || e.status() == 403 ? CANNOT_CREATE : code;
            }
            out.println("Datasets:  creating a push dataset works (a probe was created and deleted).");
        }
        out.println("Power BI is ready: mlc serve can push to workspace " + pbi.workspaceId() + ".");
        return 0;
    }

    static int exitCode(PowerBiApiException e) {
        if (e.status() < 0) {
            return UNREACHABLE;
        }
        if (e.tenantSwitchOff()) {
            return TENANT_SWITCH;
        }
        return e.workspaceAccessDenied() ? NO_WORKSPACE_ACCESS : 1;
    }

    /** One small table, named so that a leftover (after a crash between create and delete) says what it is. */
    private static DatasetModel probeModel() {
        return new DatasetModel("ml-connector probe " + UUID.randomUUID().toString().substring(0, 8) + " (safe to delete)",
                List.of(new DatasetModel.Table("probe", List.of(new DatasetModel.Column("id", DatasetModel.DataType.STRING)),
                        List.of())), List.of());
    }
}

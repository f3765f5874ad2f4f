package io.mlconnector.cli;

import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.store.Database;
import io.mlconnector.store.SecretBox;
import io.mlconnector.store.StoreKeyset;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mlc keys rotate}: the secrets keyset's lifecycle (docs/security.md). */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage the keyset that encrypts secrets at rest.",
        subcommands = KeysCommand.Rotate.class)
public final class KeysCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Add a new key to the keyset file and make it the primary: new secrets use it, older secrets still decrypt.")
    static final class Rotate implements Callable<Integer> {

        @Option(names = "--config", defaultValue = ConfigLoader.FILE_NAME,
                description = "Configuration file (default ${DEFAULT-VALUE}); ML_CONNECTOR_* environment variables override it.")
        Path configFile;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ConnectorConfig config = new ConfigLoader().load(configFile, System.getenv());
            ConnectorConfig.Secrets secrets = config.secrets();
            if (secrets.keysetJson() != null) {
                throw new CommandFailure("mlc keys rotate: the keyset comes from secrets.keyset (ML_CONNECTOR_SECRETS_KEYSET);"
                        + " save it to a file, unset the variable, rotate with secrets.keyset-path set to that file, then put the file's content back into the variable.");
            }
            // Rotate only the store's own keyset: one that cannot decrypt its key-check value is refused here.
            try (Database database = Database.open(config.store())) {
                StoreKeyset.open(database, secrets, Clock.systemUTC());
            }
            int keyId = SecretBox.rotate(secrets.keysetPath());
            spec.commandLine().getOut().println("Added key " + Integer.toUnsignedString(keyId) + " to " + secrets.keysetPath().toAbsolutePath()
                    + " and made it the primary; secrets encrypted with the older keys still decrypt."
                    + " Copy this file to every instance that shares the store, then restart them.");
            return 0;
        }
    }
}

package io.mlconnector.cli;

import io.mlconnector.config.ConfigKey;
import io.mlconnector.config.ConfigKeys;
import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.ConfigTemplate;
import io.mlconnector.store.SecretBox;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mlc init}: a commented configuration file with every key (from {@link ConfigTemplate}) and the secrets
 * keyset where it says. An existing configuration file is kept unless {@code --force}; an existing keyset is always
 * kept (replacing it would make every secret in the store unreadable; {@code mlc keys rotate} adds a key instead).
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Write a commented configuration file with every key, and create the keyset that encrypts secrets.",
                "Exit 0 when written, 1 when the file exists (without --force) or the keyset cannot be read or created, 2 for a bad option."})
public final class InitCommand implements Callable<Integer> {

    @Option(names = "--config", defaultValue = ConfigLoader.FILE_NAME,
            description = "Configuration file to write (default ${DEFAULT-VALUE}).")
    Path configFile;

    @Option(names = "--force", description = "Overwrite an existing configuration file (an existing keyset is kept, never replaced).")
    boolean force;

    @Option(names = "--keyset-path", defaultValue = ConfigKeys.DEFAULT_KEYSET_PATH,
            description = "Where the keyset goes, written as secrets.keyset-path (default ${DEFAULT-VALUE}; ~/ is the home folder).")
    String keysetPath;

    @Option(names = "--public-base-url", converter = Converters.HttpUrl.class,
            description = "The https URL at which FreshBooks reaches this connector, written as server.public-base-url (else left to fill in).")
    URI publicBaseUrl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (Files.exists(configFile) && !force) {
            throw new CommandFailure(configFile.toAbsolutePath() + " exists; nothing written. Edit it, write elsewhere"
                    + " with --config FILE, or replace it with --force.");
        }
        Path keyset = expandHome(keysetPath);
        boolean keysetExisted = Files.exists(keyset);
        try {
            SecretBox.open(keyset); // reads an existing keyset (so a broken one is found now), or creates one
        } catch (SecretBox.SecretBoxException e) {
            throw new CommandFailure(e.getMessage() + "; give another --keyset-path, or fix the file's permissions"
                    + " or content (nothing written).");
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (publicBaseUrl != null) {
            values.put("server.public-base-url", publicBaseUrl.toString());
        }
        values.put("secrets.keyset-path", keysetPath);
        String yaml = ConfigTemplate.yaml(List.of(
                "ml-connector configuration, written by mlc init. Every key is listed under its topic with what it is;",
                "the commented-out ones show their default. Fill in the empty required keys, then: mlc serve --config "
                        + configFile.getFileName() + ".",
                "Each key can also come from its ML_CONNECTOR_* environment variable, which wins: the place for secrets.",
                "Reference: docs/configuration.md; the steps from nothing to a dashboard: docs/user-guide.md."), values);
        try {
            Path absolute = configFile.toAbsolutePath();
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            Files.writeString(absolute, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandFailure("Cannot write " + configFile.toAbsolutePath() + " (" + e.getMessage()
                    + "): choose another --config FILE.");
        }
        var out = spec.commandLine().getOut();
        out.println("Wrote " + configFile.toAbsolutePath() + ".");
        out.println((keysetExisted ? "Kept the existing keyset " : "Created the keyset ") + keyset.toAbsolutePath()
                + " (secrets.keyset-path): back it up apart from the database; every instance on the same store needs a copy.");
        List<String> toFill = ConfigKeys.ALL.stream().filter(ConfigKey::required)
                .map(ConfigKey::key).filter(k -> !values.containsKey(k)).toList();
        out.println("Next: fill in " + String.join(", ", toFill) + " (secrets may go in their ML_CONNECTOR_* variables"
                + " instead), then run: mlc serve --config " + configFile);
        return 0;
    }

    /** "~/" is the home folder, as the configuration reads it. */
    static Path expandHome(String path) {
        return path.startsWith("~/") ? Path.of(System.getProperty("user.home"), path.substring(2)) : Path.of(path);
    }
}

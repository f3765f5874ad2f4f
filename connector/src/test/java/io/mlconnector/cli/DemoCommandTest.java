package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mlc demo --data} refuses a folder it did not create before it starts anything or deletes anything. */
class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void aForeignFolderIsRefusedWithOneLineAndExitOne() throws Exception {
        Path data = Files.createDirectory(dir.resolve("work"));
        Files.writeString(data.resolve("thesis.tex"), "important");

        StringWriter err = new StringWriter();
        int exit = run(err, "demo", "--data", data.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("--data: " + data).contains("not created by mlc demo");
        assertThat(data.resolve("thesis.tex")).hasContent("important");
    }

    @Test
    void aRegularFileIsRefusedWithOneLineAndExitOne() throws Exception {
        Path file = Files.writeString(dir.resolve("report.pdf"), "pdf");

        StringWriter err = new StringWriter();
        int exit = run(err, "demo", "--data", file.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement().asString().startsWith("--data: " + file + " is not a folder");
        assertThat(file).hasContent("pdf");
    }

    private static int run(StringWriter err, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}

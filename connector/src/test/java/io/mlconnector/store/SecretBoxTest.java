package io.mlconnector.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsWithTheSameContext() {
        SecretBox box = SecretBox.open(dir.resolve("keys/keyset.json"));
        String ciphertext = box.encrypt("refresh-token-é", "oauth_grant/refresh/ACM123");

        assertThat(ciphertext).doesNotContain("refresh-token");
        assertThat(box.decrypt(ciphertext, "oauth_grant/refresh/ACM123")).isEqualTo("refresh-token-é");
        assertThat(box.encrypt("same", "c")).isNotEqualTo(box.encrypt("same", "c"));
    }

    @Test
    void wrongContextFails() {
        SecretBox box = SecretBox.open(dir.resolve("keyset.json"));
        String ciphertext = box.encrypt("secret", "oauth_grant/refresh/ACM123");

        assertThatThrownBy(() -> box.decrypt(ciphertext, "oauth_grant/refresh/OTHER"))
                .isInstanceOf(SecretBox.SecretBoxException.class)
                .hasMessageNotContaining("secret\"");
        assertThatThrownBy(() -> box.decrypt("not base64!", "x")).isInstanceOf(SecretBox.SecretBoxException.class);
    }

    @Test
    void keysetFileIsCreatedOnceOwnerOnlyAndReused() throws Exception {
        Path keyset = dir.resolve("keyset.json");
        SecretBox first = SecretBox.open(keyset);
        String created = Files.readString(keyset);
        String ciphertext = first.encrypt("v", "ctx");

        SecretBox second = SecretBox.open(keyset);

        assertThat(Files.readString(keyset)).isEqualTo(created);
        assertThat(second.decrypt(ciphertext, "ctx")).isEqualTo("v");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyset))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(keyset); // no temp file left behind
        }
        assertThat(first.toString()).doesNotContain(created);
    }

    @Test
    void anotherKeysetCannotDecrypt() {
        String ciphertext = SecretBox.open(dir.resolve("a.json")).encrypt("v", "ctx");

        assertThatThrownBy(() -> SecretBox.open(dir.resolve("b.json")).decrypt(ciphertext, "ctx"))
                .isInstanceOf(SecretBox.SecretBoxException.class);
    }
}

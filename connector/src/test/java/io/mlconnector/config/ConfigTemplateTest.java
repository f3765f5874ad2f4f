package io.mlconnector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTemplateTest {

    @Test
    void valuesThatYamlWouldMisreadAreQuotedAndReadBackAsWritten() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("server.public-base-url", "https://hooks.example.com");
        values.put("store.password", "p#ss: 'word' # not a comment");
        values.put("freshbooks.client-id", "*anchor-like");
        values.put("freshbooks.client-secret", "yes");
        values.put("powerbi.tenant-id", "0000");
        values.put("powerbi.client-id", "@at");
        values.put("powerbi.client-secret", " leading space");
        values.put("powerbi.workspace-id", "33333333-3333-3333-3333-333333333333");
        values.put("powerbi.dataset-name", "FreshBooks (demo): live");

        ConnectorConfig config = new ConfigLoader().parse(ConfigTemplate.yaml(List.of("test"), values), Map.of());

        assertThat(config.store().password()).isEqualTo("p#ss: 'word' # not a comment");
        assertThat(config.freshbooks().clientId()).isEqualTo("*anchor-like");
        assertThat(config.freshbooks().clientSecret()).isEqualTo("yes");
        assertThat(config.powerbi().tenantId()).isEqualTo("0000");
        assertThat(config.powerbi().clientId()).isEqualTo("@at");
        assertThat(config.powerbi().datasetName()).isEqualTo("FreshBooks (demo): live");
        assertThat(config.powerbi().clientSecret()).isEqualTo("leading space"); // the loader trims values
    }

    @Test
    void aKeyTheLoaderDoesNotKnowIsRefused() {
        assertThatThrownBy(() -> ConfigTemplate.yaml(List.of(), Map.of("powerbi.workspace", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("powerbi.workspace");
    }
}

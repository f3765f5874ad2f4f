package io.mlconnector.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a Prometheus text exposition: each series (name and labels as written) and its value. */
record PrometheusText(Map<String, Double> series) {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");

    static PrometheusText scrape(URI adminUrl) {
        URI metrics = URI.create(adminUrl.toString().replaceAll("/+$", "") + "/metrics");
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics)
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("GET " + metrics + " answered " + answer.statusCode());
            }
            return parse(answer.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static PrometheusText parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                series.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
            }
        }
        return new PrometheusText(series);
    }

    /** Whether a series of this metric exists whose labels contain every {@code label="value"} given. */
    boolean has(String name, String... labels) {
        return series.keySet().stream().anyMatch(s -> matches(s, name, labels));
    }

    /** The sum over the series of this metric whose labels contain every {@code label="value"} given (0 when none). */
    double sum(String name, String... labels) {
        return series.entrySet().stream().filter(e -> matches(e.getKey(), name, labels))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static boolean matches(String series, String name, String... labels) {
        if (!(series.equals(name) || series.startsWith(name + "{"))) {
            return false;
        }
        for (String label : labels) {
            if (!series.contains(label)) {
                return false;
            }
        }
        return true;
    }
}

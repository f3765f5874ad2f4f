package io.mlconnector.config;

import java.util.List;

/** The configuration cannot be used; the message names every bad key and how to fix it, one per line. */
public final class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, one line, starting with the key it is about. */
    public List<String> problems() {
        return problems;
    }
}

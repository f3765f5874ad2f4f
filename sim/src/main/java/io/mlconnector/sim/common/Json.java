package io.mlconnector.sim.common;

import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper the simulators share: plain Jackson 3 defaults. */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}
}

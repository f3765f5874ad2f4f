package io.mlconnector.sim.common;

/**
 * Where the simulators listen unless told otherwise: they hand out tokens and approve OAuth for anyone, so by
 * default only this machine can reach them. Their URLs still say {@code localhost}, which resolves here.
 */
public final class Loopback {

    public static final String HOST = "127.0.0.1";

    private Loopback() {}
}

package io.mlconnector.sim.powerbi;

/** A principal's role in a workspace; Viewer may read, the others may also create datasets and push rows. */
public enum WorkspaceRole {
    ADMIN, MEMBER, CONTRIBUTOR, VIEWER;

    boolean canWrite() {
        return this != VIEWER;
    }
}

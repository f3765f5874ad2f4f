package io.mlconnector.powerbi;

/** A Power BI REST call other than POST rows failed. {@code status} is −1 when no response came. */
public final class PowerBiApiException extends RuntimeException {

    /** The code Power BI answers while the admin-portal switch keeps service principals out (powerbi-api.md §1.4). */
    public static final String TENANT_SWITCH_CODE = "ServicePrincipalIsNotAllowedByTenantAdminSwitch";
    static final String TENANT_SWITCH_FIX = "a Power BI administrator must turn on 'Allow service principals to use"
            + " Power BI APIs' (Admin portal > Tenant settings > Developer settings) for the service principal"
            + " (powerbi.client-id) or a security group holding it";
    static final String WORKSPACE_FIX = "check powerbi.workspace-id, and that the service principal (powerbi.client-id)"
            + " is a Member, Contributor or Admin of that workspace (Workspace > Manage access)";

    private final int status;
    private final String code;
    private final String requestId;

    public PowerBiApiException(String operation, int status, String code, String message, String requestId, Throwable cause) {
        super(operation + " failed: " + (status < 0 ? "no response" : "HTTP " + status)
                + (code != null ? " " + code : "") + (message != null ? ": " + message : "")
                + (requestId != null ? " (RequestId " + requestId + ")" : ""), cause);
        this.status = status;
        this.code = code;
        this.requestId = requestId;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String requestId() {
        return requestId;
    }

    /** 5xx, 408, 429 and no response are worth retrying; other 4xx are not. */
    public boolean retryable() {
        return status < 0 || status == 408 || status == 429 || status >= 500;
    }

    /** The admin-portal switch keeps every service principal out of the Power BI APIs. */
    public boolean tenantSwitchOff() {
        return TENANT_SWITCH_CODE.equals(code);
    }

    /** Refused for who is asking in this workspace (not a member, a Viewer, or a wrong workspace id). */
    public boolean workspaceAccessDenied() {
        return !tenantSwitchOff() && !"TokenExpired".equals(code)
                && (status == 401 || status == 403 || "PowerBIEntityNotFound".equals(code));
    }

    /** What the user does about it, naming the key; empty when the message says enough. */
    public String fix() {
        if (tenantSwitchOff()) {
            return TENANT_SWITCH_FIX;
        }
        if (workspaceAccessDenied()) {
            return WORKSPACE_FIX;
        }
        return "";
    }

    /** The message and, when there is one, the fix: the one line a person reads. */
    public String explained() {
        String fix = fix();
        return fix.isEmpty() ? getMessage() : getMessage() + " — " + fix;
    }
}

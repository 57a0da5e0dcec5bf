package org.bridgeappliance.admin;

import jakarta.inject.Singleton;
import org.bridgeappliance.mapping.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one audit entry per admin action. Callers pass details without secrets (never a password
 * or token); values are bounded here so that a huge name cannot bloat the log.
 *
 * <p>Blocking (JDBC): call from a blocking worker thread.
 */
@Singleton
public class Auditor {
    private static final Logger LOG = LoggerFactory.getLogger("org.bridgeappliance.admin.audit");
    private static final int MAX_DETAIL = 2000;

    private final AuditLog log;

    public Auditor(AuditLog log) {
        this.log = log;
    }

    public void record(String actor, String action, String target, String detail) {
        String boundedDetail = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "…" : detail;
        log.record(actor, action, target, boundedDetail);
        LOG.info("admin action: actor={} action={} target={}", actor, action, target);
    }
}

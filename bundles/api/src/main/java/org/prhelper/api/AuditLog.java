package org.prhelper.api;

import java.util.List;

/** The most recent audit records kept in memory, for the shell and health checks. */
public interface AuditLog {
    /** Up to {@code limit} most recent records, oldest first. */
    List<AuditRecord> recent(int limit);
}

package org.prhelper.api;

/** Takes the record of every request. Called on the request's thread after the reply: keep it quick. */
public interface AuditSink {
    void record(AuditRecord record);
}

package io.runlake.scoring.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One ONNX Runtime session per model per JVM (driver or executor), created on first use and kept:
 * creating a session costs far more than scoring a batch. Each session uses one intra-op thread, since
 * Spark already runs one task per core.
 */
final class OnnxSessions {
  private static final Map<String, OrtSession> SESSIONS = new ConcurrentHashMap<>();

  private OnnxSessions() {}

  static OrtSession get(String key, byte[] model) throws OrtException {
    OrtSession existing = SESSIONS.get(key);
    if (existing != null) {
      return existing;
    }
    synchronized (SESSIONS) {
      existing = SESSIONS.get(key);
      if (existing == null) {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        existing = OrtEnvironment.getEnvironment().createSession(model, options);
        SESSIONS.put(key, existing);
      }
      return existing;
    }
  }
}

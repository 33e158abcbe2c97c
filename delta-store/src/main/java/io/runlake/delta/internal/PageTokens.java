package io.runlake.delta.internal;

import io.runlake.tracking.internal.TrackingErrors;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Opaque page tokens: the offset of the next page, base64-encoded. */
final class PageTokens {
  private static final String PREFIX = "offset:";

  private PageTokens() {}

  static int offset(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!text.startsWith(PREFIX)) {
        throw TrackingErrors.badPageToken(token);
      }
      int offset = Integer.parseInt(text.substring(PREFIX.length()));
      if (offset < 0) {
        throw TrackingErrors.badPageToken(token);
      }
      return offset;
    } catch (IllegalArgumentException e) {
      throw TrackingErrors.badPageToken(token);
    }
  }

  static Optional<String> next(int offset, boolean more) {
    if (!more) {
      return Optional.empty();
    }
    return Optional.of(
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString((PREFIX + offset).getBytes(StandardCharsets.UTF_8)));
  }
}

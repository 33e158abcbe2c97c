package io.runlake.registry.internal;

import io.runlake.tracking.internal.Validation;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** MLflow's input rules for the model registry. */
public final class RegistryValidation {
  public static final int MAX_NAME_LENGTH = 256;
  public static final int MAX_ALIAS_LENGTH = 255;
  public static final int MAX_TAG_VALUE_LENGTH = 5000;
  private static final Pattern ALIAS = Pattern.compile("^[\\w\\-]*$");
  private static final Pattern VERSION_ALIAS = Pattern.compile("^v\\d+$", Pattern.CASE_INSENSITIVE);

  private RegistryValidation() {}

  public static void modelName(String name) {
    if (name == null || name.isBlank()) {
      throw RegistryErrors.invalid("Registered model name cannot be empty. Give the model a name.");
    }
    if (name.contains("/") || name.contains(":")) {
      throw RegistryErrors.invalid(
          "Invalid registered model name '" + name + "': it must not contain '/' or ':', which"
              + " model URIs (models:/<name>/<version>) use as separators.");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw RegistryErrors.invalid(
          "Invalid registered model name: it has " + name.length() + " characters, more than the"
              + " limit of " + MAX_NAME_LENGTH + ".");
    }
  }

  public static void alias(String alias) {
    if (alias == null || alias.isEmpty()) {
      throw RegistryErrors.invalid("A registered model alias cannot be empty.");
    }
    if (!ALIAS.matcher(alias).matches()) {
      throw RegistryErrors.invalid(
          "Invalid alias '" + alias + "': use only letters, digits, '_' and '-'.");
    }
    if (alias.length() > MAX_ALIAS_LENGTH) {
      throw RegistryErrors.invalid(
          "Invalid alias: it has " + alias.length() + " characters, more than " + MAX_ALIAS_LENGTH + ".");
    }
    if (alias.toLowerCase(Locale.ROOT).equals("latest") || VERSION_ALIAS.matcher(alias).matches()) {
      throw RegistryErrors.invalid(
          "Invalid alias '" + alias + "': 'latest' and 'v<number>' are reserved, because"
              + " models:/<name>@latest and @v3 would be ambiguous. Choose another alias.");
    }
  }

  public static void tag(String key, String value) {
    Validation.tagKey(key);
    if (value == null) {
      throw RegistryErrors.invalid("Missing value for required parameter 'value'.");
    }
    if (value.length() > MAX_TAG_VALUE_LENGTH) {
      throw RegistryErrors.invalid(
          "The value of tag '" + key + "' has " + value.length() + " characters, more than the"
              + " limit of " + MAX_TAG_VALUE_LENGTH + ".");
    }
  }

  public static void tags(Map<String, String> tags) {
    if (tags != null) {
      tags.forEach(RegistryValidation::tag);
    }
  }

  public static void version(long version) {
    if (version < 1) {
      throw RegistryErrors.invalid(
          "Invalid model version " + version + ": versions are numbered from 1.");
    }
  }
}

package io.liteboxd.proxy.internal.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where named settings come from: an init-param first, then the environment variable {@code LITEBOXD_UPPER_SNAKE}
 * of the same name ({@code requestTimeout} -> {@code LITEBOXD_REQUEST_TIMEOUT}). Blank counts as absent. Malformed
 * values fail with a message naming the setting. One reader for every settings class, so they all parse alike.
 */
public final class SettingSource {

    private final Function<String, String> initParams;
    private final Map<String, String> env;

    /**
     * @param initParams e.g. {@code ServletConfig::getInitParameter}; {@code null} for none
     * @param env        e.g. {@code System.getenv()}; {@code null} for none
     */
    public SettingSource(Function<String, String> initParams, Map<String, String> env) {
        this.initParams = initParams == null ? name -> null : initParams;
        this.env = env == null ? Map.of() : env;
    }

    /** The environment variable that backs the setting {@code camelCaseName}. */
    public static String envName(String camelCaseName) {
        StringBuilder sb = new StringBuilder("LITEBOXD_");
        for (char c : camelCaseName.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_');
            }
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }

    /** The raw value of an environment variable (not a named setting), trimmed; empty if absent or blank. */
    public Optional<String> environment(String variable) {
        return present(env.get(variable));
    }

    public Optional<String> text(String name) {
        String v = initParams.apply(name);
        if (v == null || v.isBlank()) {
            v = env.get(envName(name));
        }
        return present(v);
    }

    public Optional<Duration> duration(String name) {
        return text(name).map(v -> {
            try {
                return Durations.parse(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        });
    }

    public Optional<Long> size(String name) {
        return text(name).map(v -> {
            try {
                return Sizes.parse(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        });
    }

    public Optional<Integer> integer(String name) {
        return text(name).map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": not an integer: " + v, e);
            }
        });
    }

    public Optional<Boolean> bool(String name) {
        return text(name).map(v -> parseSwitch(name, v));
    }

    /**
     * {@code true/yes/on/1} or {@code false/no/off/0}, any case; anything else fails, so that a typo never silently
     * picks the other behaviour.
     */
    public static boolean parseSwitch(String name, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(name + ": expected true or false, got '" + value + "'");
        };
    }

    private static Optional<String> present(String v) {
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }
}

package io.liteboxd.proxy.internal.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and removes one parameter of a raw (still percent-encoded) query string without touching the rest.
 *
 * <p>Removal works on the wire form: the query is split at {@code &}, the pairs whose decoded name matches are left
 * out, and every other pair is kept byte for byte, in order, including empty pairs and pairs that are not valid
 * form encoding. Decoding and re-encoding the whole query would change what the upstream app receives
 * ({@code %7E} vs {@code ~}, {@code +} vs {@code %20}, lower-case hex, ...).
 */
public final class RawQuery {

    private RawQuery() {
    }

    /**
     * Every value of {@code name}, form-decoded ({@code +} is a space, {@code %XX} are UTF-8 bytes), in order. A pair
     * whose name matches but whose value is not valid percent-encoding is returned as {@code null}.
     *
     * @param rawQuery the raw query without {@code ?}, or {@code null}
     */
    public static List<String> values(String rawQuery, String name) {
        List<String> values = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            if (name.equals(decode(rawName))) {
                values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return values;
    }

    /**
     * The raw query without any {@code name} parameter.
     *
     * @return the remaining raw query; the input itself when it has no such parameter; {@code null} when the
     *         parameter was all there was
     */
    public static String without(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return rawQuery;
        }
        String[] pairs = rawQuery.split("&", -1);
        List<String> kept = new ArrayList<>(pairs.length);
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            if (!name.equals(decode(rawName))) {
                kept.add(pair);
            }
        }
        if (kept.size() == pairs.length) {
            return rawQuery;
        }
        return kept.isEmpty() ? null : String.join("&", kept);
    }

    /** Form decoding; {@code null} when the text is not valid percent-encoded UTF-8. */
    static String decode(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7f) {
                // Raw non-ASCII is not valid in a query; treat it as its UTF-8 bytes rather than guessing.
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

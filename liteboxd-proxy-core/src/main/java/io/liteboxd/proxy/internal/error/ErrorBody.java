package io.liteboxd.proxy.internal.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.liteboxd.proxy.error.ProxyException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON error shape the gateway sends: {@code {"error":"...","code":"...","status":N}}.
 */
public final class ErrorBody {

    public static final String CONTENT_TYPE = "application/json;charset=utf-8";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorBody() {
    }

    public static byte[] json(ProxyException e) {
        return json(e.status(), e.error().code(), e.getMessage());
    }

    public static byte[] json(int status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("code", code);
        body.put("status", status);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // A map of strings and an int always serialises; keep a safe body if it ever does not.
            return ("{\"error\":\"internal error\",\"code\":\"internal_error\",\"status\":" + status + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }
}

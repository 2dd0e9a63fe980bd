package io.liteboxd.example.boot;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application's own endpoints, to show that the gateway servlet leaves the rest of the app alone, and that the
 * app's form handling still works with its filters kept off the gateway's paths.
 */
@RestController
class HelloController {

    @GetMapping("/hello")
    String hello() {
        return "hello from the application";
    }

    /**
     * A form-encoded PUT, as an HTML form sends it with {@code _method=PUT} (HiddenHttpMethodFilter) or a script with
     * {@code fetch}; its parameters come from the body through FormContentFilter.
     */
    @PutMapping(path = "/hello", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    String greet(@RequestParam("name") String name) {
        return "hello, " + name;
    }
}

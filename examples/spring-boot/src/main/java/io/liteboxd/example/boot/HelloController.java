package io.liteboxd.example.boot;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The application's own endpoint, to show that the gateway servlet leaves the rest of the app alone. */
@RestController
class HelloController {

    @GetMapping("/hello")
    String hello() {
        return "hello from the application";
    }
}

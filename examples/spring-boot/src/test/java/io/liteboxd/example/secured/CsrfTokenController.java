package io.liteboxd.example.secured;

import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Hands a logged-in test client the CSRF token that a page of the application would put into its forms. */
@RestController
class CsrfTokenController {

    @GetMapping("/csrf-token")
    String token(CsrfToken token) {
        return token.getToken();
    }
}

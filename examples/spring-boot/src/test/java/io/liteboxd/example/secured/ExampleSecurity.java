package io.liteboxd.example.secured;

import io.liteboxd.example.boot.GatewayPaths;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.FirewalledRequest;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The example application with Spring Security: its own pages need a login and carry CSRF protection, while the
 * gateway's paths are left to the gateway, which authenticates sandbox requests itself (access token or its own
 * cookie) and must relay them as sent.
 *
 * <p>Three things, each needed:
 * <ul>
 *   <li>a chain of its own for the gateway's paths, ahead of the application's: every request permitted, no CSRF
 *       check (it would read a form POST's body for {@code _csrf} and refuse the sandbox apps' own forms), no
 *       security headers (they would land on the sandbox's responses: {@code Cache-Control: no-store},
 *       {@code X-Frame-Options: DENY}), no session;</li>
 *   <li>the firewall, which runs before any chain is chosen, kept off the gateway's paths: it rejects what sandbox
 *       apps may use ({@code %2F}, {@code %25}, {@code ;}, methods such as {@code PROPFIND}); the gateway checks its
 *       own routes;</li>
 *   <li>the application's chain, as the application would have it anyway.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class ExampleSecurity {

    /** The example's one user; a real application has its own user store. */
    static final String USER = "alice";
    static final String PASSWORD = "example-password";

    /** The gateway's requests: permitted, and nothing of Spring Security's added to or read from them. */
    @Bean
    @Order(1)
    SecurityFilterChain sandboxGateway(HttpSecurity http, GatewayPaths gateway) throws Exception {
        return http
                .securityMatcher(gateway::matches)
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .headers(headers -> headers.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    /** The application's own pages: a login for everything, CSRF tokens on its forms (Spring's defaults). */
    @Bean
    @Order(2)
    SecurityFilterChain application(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .build();
    }

    /** The strict firewall for the application's paths only. */
    @Bean
    WebSecurityCustomizer gatewayFirewall(GatewayPaths gateway) {
        return web -> web.httpFirewall(new GatewayAwareFirewall(gateway));
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(User.withUsername(USER).password("{noop}" + PASSWORD).roles("USER")
                .build());
    }

    /**
     * Spring Security's {@link StrictHttpFirewall}, except for the gateway's requests, which pass unchanged: the
     * gateway relays their raw path to the sandbox and refuses what would leave the sandbox's root itself.
     */
    static final class GatewayAwareFirewall implements HttpFirewall {
        private final HttpFirewall strict = new StrictHttpFirewall();
        private final GatewayPaths gateway;

        GatewayAwareFirewall(GatewayPaths gateway) {
            this.gateway = gateway;
        }

        @Override
        public FirewalledRequest getFirewalledRequest(HttpServletRequest request) {
            if (!gateway.matches(request)) {
                return strict.getFirewalledRequest(request);
            }
            return new FirewalledRequest(request) {
                @Override
                public void reset() {
                }
            };
        }

        @Override
        public HttpServletResponse getFirewalledResponse(HttpServletResponse response) {
            return strict.getFirewalledResponse(response);
        }
    }
}

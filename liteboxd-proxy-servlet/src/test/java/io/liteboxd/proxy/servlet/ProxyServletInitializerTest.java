package io.liteboxd.proxy.servlet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The zero-code initializer's switch: off unless asked for, every usual spelling of "on", and no silent typo. */
class ProxyServletInitializerTest {

    @ParameterizedTest
    @ValueSource(strings = {"true", "YES", " on ", "1"})
    void registersTheServletWhenSwitchedOn(String value) throws ServletException {
        ServletContext context = context(value);
        ServletRegistration.Dynamic registration = mock(ServletRegistration.Dynamic.class);
        when(context.addServlet(eq(ProxyRegistration.SERVLET_NAME), eq(ProxyServlet.class))).thenReturn(registration);

        new ProxyServletInitializer(Map.of()).onStartup(Set.of(), context);

        verify(registration).addMapping(anyString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "off", "0", ""})
    void staysOffOtherwise(String value) throws ServletException {
        ServletContext context = context(value);

        new ProxyServletInitializer(Map.of()).onStartup(Set.of(), context);

        verify(context, never()).addServlet(anyString(), any(Class.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ture", "enabled"})
    void aTypoFailsTheStart(String value) {
        ServletContext context = context(value);

        assertThatThrownBy(() -> new ProxyServletInitializer(Map.of()).onStartup(Set.of(), context))
                .isInstanceOf(ServletException.class).hasMessageContaining(ProxyServletInitializer.ENABLED);
    }

    private static ServletContext context(String enabled) {
        ServletContext context = mock(ServletContext.class);
        when(context.getInitParameter(ProxyServletInitializer.ENABLED)).thenReturn(enabled);
        when(context.getInitParameterNames()).thenReturn(Collections.enumeration(List.of(ProxyServletInitializer.ENABLED)));
        when(context.getContextPath()).thenReturn("/app");
        return context;
    }
}

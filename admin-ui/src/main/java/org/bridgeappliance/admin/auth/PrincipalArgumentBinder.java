package org.bridgeappliance.admin.auth;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;
import java.security.Principal;
import java.util.Optional;

/**
 * Binds a {@link Principal} argument of a route (e.g. Micronaut's health endpoint, which decides on
 * it whether to show details) to the request's user principal, which {@link AuthFilter} and
 * {@link HealthAuthFilter} set. Micronaut itself binds it only when micronaut-security is present,
 * which this appliance does not use (see {@link AuthFilter}). Unbound (null) when anonymous.
 */
@Singleton
public class PrincipalArgumentBinder implements TypedRequestArgumentBinder<Principal> {
    private static final Argument<Principal> TYPE = Argument.of(Principal.class);

    @Override
    public Argument<Principal> argumentType() {
        return TYPE;
    }

    @Override
    public BindingResult<Principal> bind(ArgumentConversionContext<Principal> context, HttpRequest<?> source) {
        Optional<Principal> principal = source.getUserPrincipal();
        return () -> principal;
    }
}

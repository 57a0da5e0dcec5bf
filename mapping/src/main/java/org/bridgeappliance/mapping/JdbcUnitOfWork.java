package org.bridgeappliance.mapping;

import java.util.function.Supplier;
import org.bridgeappliance.core.store.UnitOfWork;

/**
 * The core's unit of work on JDBC: the stores' calls on the calling thread join one connection and one
 * transaction ({@link Jdbc#inOne}), parts are savepoints ({@link Jdbc#attempt}).
 */
final class JdbcUnitOfWork implements UnitOfWork {
    private final Jdbc jdbc;

    JdbcUnitOfWork(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public <T> T inOne(Supplier<T> work) {
        return jdbc.inOne(work);
    }

    @Override
    public <T> T attempt(Supplier<T> work) {
        return jdbc.attempt(work);
    }
}

package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;
import org.bridgeappliance.core.store.StoreConflictException;
import org.bridgeappliance.core.store.StoreException;
import org.junit.jupiter.api.Test;

class JdbcTest {
    @Test
    void integrityViolationsBecomeConflictsEverythingElseAStoreException() {
        assertInstanceOf(StoreConflictException.class, Jdbc.translate("x", new SQLException("dup", "23505")));
        assertInstanceOf(StoreConflictException.class, Jdbc.translate("x", new SQLException("fk", "23503")));
        RuntimeException other = Jdbc.translate("x", new SQLException("down", "08001"));
        assertEquals(StoreException.class, other.getClass());
        assertEquals(StoreException.class, Jdbc.translate("x", new SQLException("no state")).getClass());
        SQLException chained = new SQLException("batch", "HY000");
        chained.setNextException(new SQLException("dup", "23505"));
        assertInstanceOf(StoreConflictException.class, Jdbc.translate("x", chained));
    }
}

package org.bridgeappliance.admin.api;

import java.util.List;
import java.util.Locale;
import org.bridgeappliance.admin.ApiException;

/** Query, offset and limit of the admin API's list endpoints, checked once for all of them. */
record Paging(String q, int offset, int limit) {
    static final int MAX_QUERY = 200;

    static Paging of(String q, int offset, int limit, int maxLimit) {
        if (q.length() > MAX_QUERY) {
            throw ApiException.badRequest("q", "q is longer than " + MAX_QUERY + " characters");
        }
        Inputs.range("offset", offset, 0, PuppetController.MAX_OFFSET);
        Inputs.range("limit", limit, 1, maxLimit);
        return new Paging(q.strip(), offset, limit);
    }

    /** The query lower-cased for case-insensitive matching. */
    String needle() {
        return q.toLowerCase(Locale.ROOT);
    }

    /** This page of an already filtered, ordered list. */
    <T> List<T> page(List<T> all) {
        int from = Math.min(offset, all.size());
        return all.subList(from, Math.min(all.size(), from + limit));
    }
}

package org.bridgeappliance.admin.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.Predicate;
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

    /** What a bounded scan found: the matches, and whether the scan saw everything (else the count is a lower bound). */
    record Scan<T>(List<T> matches, boolean exact) {
    }

    /**
     * Reads {@code chunkAt(start)} pages of {@code chunk} items from a store that pages but cannot filter or count
     * this way, keeping what {@code keep} accepts, until a short page or {@code window} items read.
     */
    static <T> Scan<T> scan(IntFunction<List<T>> chunkAt, int chunk, int window, Predicate<T> keep) {
        List<T> matches = new ArrayList<>();
        for (int start = 0; ; start += chunk) {
            List<T> page = chunkAt.apply(start);
            for (T item : page) {
                if (keep.test(item)) {
                    matches.add(item);
                }
            }
            if (page.size() < chunk) {
                return new Scan<>(matches, true);
            }
            if (start + chunk >= window) {
                return new Scan<>(matches, false);
            }
        }
    }

    /** This page of an already filtered, ordered list. */
    <T> List<T> page(List<T> all) {
        int from = Math.min(offset, all.size());
        return all.subList(from, Math.min(all.size(), from + limit));
    }
}

package org.vdresize.common;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list read in a fixed order on a unique key (keyset paging): the entries and, when
 * there are more after them, the key of the last one, after which the next page starts.
 *
 * @param next null when this is the last page
 */
public record Page<T, K>(List<T> items, K next) {

    /** The most entries one page may have; a caller asking for more is refused. */
    public static final int MAX_LIMIT = 1000;
    /** The entries of a page when the caller does not say. */
    public static final int DEFAULT_LIMIT = 100;

    public Page {
        items = List.copyOf(items);
    }

    /**
     * The page of {@code limit} entries from {@code fetched}, which holds up to {@code limit + 1}
     * entries in order: one more than the page tells that there is a next page, without counting.
     */
    public static <T, K> Page<T, K> of(List<T> fetched, int limit, Function<? super T, K> key) {
        if (fetched.size() <= limit) {
            return new Page<>(fetched, null);
        }
        List<T> items = fetched.subList(0, limit);
        return new Page<>(items, key.apply(items.get(limit - 1)));
    }

    public <U> Page<U, K> map(Function<? super T, U> mapper) {
        return new Page<>(items.stream().<U>map(mapper).toList(), next);
    }
}

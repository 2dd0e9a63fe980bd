package io.liteboxd.proxy.internal.header;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The header fields of one message while the {@link HeaderPolicy} works on them: name/value pairs in the order they
 * were sent, repeated names kept as separate fields, names matched without regard to case.
 *
 * <p>Every leg copies the fields it received into a block, lets the policy filter it, and writes what is left. Not
 * thread-safe: a block belongs to one message.
 */
public final class HeaderBlock {

    private final List<String> names;
    private final List<String> values;

    public HeaderBlock() {
        this(16);
    }

    public HeaderBlock(int expectedFields) {
        names = new ArrayList<>(expectedFields);
        values = new ArrayList<>(expectedFields);
    }

    /** A block of {@code headers}, one field per value, in map order. */
    public static HeaderBlock of(Map<String, List<String>> headers) {
        HeaderBlock block = new HeaderBlock(headers == null ? 0 : headers.size());
        if (headers != null) {
            headers.forEach((name, list) -> {
                if (name != null && list != null) {
                    list.forEach(value -> block.add(name, value));
                }
            });
        }
        return block;
    }

    /** Appends one field; a null name or value is ignored. */
    public HeaderBlock add(String name, String value) {
        if (name != null && value != null) {
            names.add(name);
            values.add(value);
        }
        return this;
    }

    /** Replaces every field named {@code name} with one field, appended at the end. */
    public HeaderBlock set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    /** Removes every field named {@code name}; true if there was one. */
    public boolean remove(String name) {
        return removeIf(name::equalsIgnoreCase);
    }

    /** Removes every field whose name matches; true if one did. */
    public boolean removeIf(Predicate<String> name) {
        boolean removed = false;
        for (int i = names.size() - 1; i >= 0; i--) {
            if (name.test(names.get(i))) {
                names.remove(i);
                values.remove(i);
                removed = true;
            }
        }
        return removed;
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return values.get(i);
            }
        }
        return null;
    }

    /** Every value of {@code name}, in order. */
    public List<String> values(String name) {
        List<String> found = new ArrayList<>(1);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                found.add(values.get(i));
            }
        }
        return found;
    }

    public boolean contains(String name) {
        return get(name) != null;
    }

    public int size() {
        return names.size();
    }

    public String name(int index) {
        return names.get(index);
    }

    public String value(int index) {
        return values.get(index);
    }

    /** Replaces the value of field {@code index}; a null value removes the field. */
    public void value(int index, String value) {
        if (value == null) {
            names.remove(index);
            values.remove(index);
        } else {
            values.set(index, value);
        }
    }

    /** Each field in order. */
    public void forEach(BiConsumer<String, String> field) {
        for (int i = 0; i < names.size(); i++) {
            field.accept(names.get(i), values.get(i));
        }
    }

    /** The fields grouped by name (the spelling of the first occurrence), values in order. */
    public Map<String, List<String>> toMap() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            List<String> list = null;
            for (Map.Entry<String, List<String>> e : map.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    list = e.getValue();
                    break;
                }
            }
            if (list == null) {
                list = new ArrayList<>(1);
                map.put(name, list);
            }
            list.add(values.get(i));
        }
        return map;
    }

    @Override
    public String toString() {
        // Names only: values may carry credentials.
        return "HeaderBlock" + names;
    }
}

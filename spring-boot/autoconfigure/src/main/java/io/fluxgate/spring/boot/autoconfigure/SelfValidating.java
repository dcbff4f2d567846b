package io.fluxgate.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Boot validates a bound properties object that is a {@link Validator} with itself, at bind time: this builds every
 * configured instance's core configuration, so a bad value fails the start with the property's full name.
 */
abstract class SelfValidating implements Validator {

    @Override
    public boolean supports(Class<?> type) {
        return getClass().isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        for (String problem : problems()) {
            errors.reject("fluxgate.invalid", problem);
        }
    }

    /** Every problem of every config and instance, each naming its property. */
    abstract List<String> problems();

    /** Builds each entry of {@code configs} and {@code instances} with {@code check}; collects the messages. */
    static <S extends InstanceSettings> List<String> check(String prefix, Map<String, S> configs,
                                                           Map<String, S> instances, Consumer<Resolved<S>> check) {
        List<String> problems = new ArrayList<>();
        for (String name : instances.keySet()) {
            run(problems, () -> check.accept(Resolved.of(prefix, configs, instances, name)));
        }
        // a config is checked on its own too (with what it inherits), whether or not an instance uses it
        for (String config : configs.keySet()) {
            run(problems, () -> check.accept(Resolved.ofConfig(prefix, configs, config)));
        }
        return problems;
    }

    private static void run(List<String> problems, Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            if (!problems.contains(e.getMessage())) {
                problems.add(e.getMessage());
            }
        }
    }
}

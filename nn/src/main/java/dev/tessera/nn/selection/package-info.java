/**
 * Model selection: cross-validation splitters, cross-validated scoring and hyperparameter search.
 *
 * <ul>
 *   <li>Splitters cut {@code n} examples into {@link dev.tessera.nn.selection.Fold}s of training
 *       and test indices: {@link dev.tessera.nn.selection.KFold}, {@link
 *       dev.tessera.nn.selection.StratifiedKFold}, {@link dev.tessera.nn.selection.GroupKFold},
 *       {@link dev.tessera.nn.selection.LeaveOneOut}, {@link dev.tessera.nn.selection.LeavePOut},
 *       {@link dev.tessera.nn.selection.ShuffleSplit}, {@link
 *       dev.tessera.nn.selection.StratifiedShuffleSplit}, {@link
 *       dev.tessera.nn.selection.RepeatedKFold}, {@link
 *       dev.tessera.nn.selection.RepeatedStratifiedKFold} and {@link
 *       dev.tessera.nn.selection.TimeSeriesSplit}. Without shuffling they give the same folds, in
 *       the same order, as scikit-learn's classes of the same names; shuffling is seeded with
 *       {@link dev.tessera.Generator} (SplitMix64), so the same seed gives the same folds on
 *       every run and JVM (but not the folds scikit-learn draws with NumPy's generator).
 *   <li>{@link dev.tessera.nn.selection.CrossValidation} trains a fresh model per fold (from a
 *       {@link dev.tessera.nn.selection.ModelFactory}), fits preprocessing on the training part
 *       only, and reports per-fold scores, mean and standard deviation, and training times.
 *   <li>{@link dev.tessera.nn.selection.GridSearch} and {@link
 *       dev.tessera.nn.selection.RandomSearch} score every candidate {@link
 *       dev.tessera.nn.selection.Params} by cross-validation and rank them; {@link
 *       dev.tessera.nn.selection.NestedCrossValidation} estimates how well the whole search
 *       generalises.
 * </ul>
 */
package dev.tessera.nn.selection;

"""A user model for `python -m hepml.workflow --framework keras` (in the spirit of MLaaS4HEP's ex_keras.py)."""
import keras


def model(idim):
    net = keras.Sequential([
        keras.Input(shape=(idim,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    net.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
    return net

"""The library module of the two-module projects the editor tests open (tests/test_server.py,
tests/test_editors_nvim.py): a `dense` helper whose variable scope is the name it is given;
each test writes the module that calls it."""

LAYERS = '''import tensorflow.compat.v1 as tf


def dense(x, name):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [3, 4])
    return tf.matmul(x, w)
'''

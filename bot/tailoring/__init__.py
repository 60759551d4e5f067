"""tailoring"""
